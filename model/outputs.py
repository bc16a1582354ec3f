"""Results: the labelled ``xarray.Dataset`` of a run, written atomically to netCDF.

Names, dimensions and units follow the results contract (``docs/results.md``). Every variable is
declared once in :data:`VARIABLES` with its units and its English and Vietnamese long names; the
:class:`Recorder` collects yearly arrays during a run and :func:`build_dataset` labels them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import xarray as xr

from . import cf
from .config import RunConfig
from .errors import OutputError
from .paths import PACKAGE_DIR
from .region import FOREST_TYPES, Region
from .transport import MODES, PERIODS


@dataclass(frozen=True)
class Variable:
    """Metadata of one output variable."""

    dims: tuple[str, ...]
    units: str
    """The model's unit (``tCO2e``, ``VND``, ``count``, ...); the file carries its CF form
    (:mod:`model.cf`: ``t`` + species, ``1`` + currency, ``/yr`` on flows)."""
    long_name: str
    long_name_vi: str
    kind: str = ""
    """``flow`` (an amount in the year: units get ``/yr``) or ``stock``/``state``; empty: inferred
    from the unit and long name (:func:`model.cf.is_flow`)."""


VARIABLES: dict[str, Variable] = {
    "cluster_serviced_ha": Variable(
        ("year", "cluster"), "ha", "serviced (lettable) land available",
        "diện tích đất đã có hạ tầng sẵn sàng cho thuê",
    ),
    "cluster_occupied_ha": Variable(
        ("year", "cluster"), "ha", "land let to firms", "diện tích đất đã cho doanh nghiệp thuê",
    ),
    "cluster_occupancy": Variable(
        ("year", "cluster"), "1", "occupancy: occupied / serviced land (NaN where none serviced)",
        "tỷ lệ lấp đầy: đất đã thuê / đất có hạ tầng (NaN nếu chưa có hạ tầng)",
    ),
    "province_occupancy": Variable(
        ("year", "province"), "1", "area-weighted occupancy of the province's clusters and parks",
        "tỷ lệ lấp đầy bình quân theo diện tích của các khu, cụm công nghiệp trong tỉnh",
    ),
    "firms": Variable(
        ("year", "province", "sector"), "count",
        "modelled firms (Hà Nội's base-year manufacturing and logistics firms) located in the "
        "province",
        "số doanh nghiệp được mô hình hóa (doanh nghiệp sản xuất, logistics của Hà Nội năm gốc) "
        "đặt tại tỉnh",
    ),
    "firms_relocated": Variable(
        ("year", "province"), "count",
        "firms that moved from Hà Nội into the province's clusters during the year (Hà Nội's own "
        "clusters count under Hà Nội)",
        "số doanh nghiệp di dời từ Hà Nội vào khu, cụm công nghiệp của tỉnh trong năm",
    ),
    "jobs": Variable(
        ("year", "province"), "count", "jobs in modelled firms located in the province",
        "số việc làm trong các doanh nghiệp được mô hình hóa đặt tại tỉnh",
    ),
    "cluster_phases_started": Variable(
        ("year", "province"), "count",
        "phases of cluster and park land whose servicing started in the year (by the investor "
        "as land was let, or by the province ahead of demand)",
        "số giai đoạn hạ tầng khu, cụm công nghiệp được khởi công trong năm",
    ),
    "serviced_land_cost_vnd": Variable(
        ("year", "province"), "VND",
        "cost to the province of the land it pre-serviced ahead of demand, booked in the year a "
        "phase started",
        "chi phí ngân sách tỉnh đầu tư hạ tầng khu, cụm công nghiệp trước nhu cầu (ghi theo năm "
        "khởi công giai đoạn)",
    ),
    "rent_forgone_vnd": Variable(
        ("year", "province"), "VND",
        "land rent not collected because of exemptions, in the year (annual-equivalent rent)",
        "tiền thuê đất được miễn trong năm (quy đổi theo năm)",
    ),
    "relocation_flow": Variable(
        ("year", "zone", "province"), "count",
        "firms moving during the year from a zone (origin) into the clusters of a province "
        "(destination)",
        "số doanh nghiệp di dời trong năm từ một vùng (nơi đi) vào khu, cụm công nghiệp của tỉnh "
        "(nơi đến)",
    ),
    "firms_considering_move": Variable(
        ("year",), "count", "firms that considered moving during the year",
        "số doanh nghiệp cân nhắc di dời trong năm",
    ),
    "firms_in_clusters": Variable(
        ("year",), "count", "modelled firms located in a cluster or park",
        "số doanh nghiệp được mô hình hóa đặt trong khu, cụm công nghiệp",
    ),
    "workers_commuting": Variable(
        ("year", "mode"), "count",
        "workers of relocated firms who commute to the new site, by main mode",
        "số lao động của doanh nghiệp di dời đi làm hằng ngày đến địa điểm mới, theo phương tiện",
    ),
    "workers_moved_home": Variable(
        ("year",), "count", "workers who moved home to keep their job (cumulative)",
        "số lao động chuyển nơi ở để giữ việc làm (lũy kế)",
    ),
    "workers_quit": Variable(
        ("year",), "count",
        "workers who left a relocated firm rather than commute or move (cumulative)",
        "số lao động nghỉ việc thay vì đi làm xa hoặc chuyển nơi ở (lũy kế)",
    ),
    "local_hires": Variable(
        ("year", "province"), "count",
        "vacancies of relocated firms filled from the destination's labour pool (cumulative)",
        "số vị trí được tuyển từ nguồn lao động tại chỗ (lũy kế)",
    ),
    "vacancies": Variable(
        ("year", "province"), "count", "jobs of modelled firms left unfilled",
        "số vị trí việc làm còn trống",
    ),
    "commute_flow": Variable(
        ("year", "zone", "work_zone"), "count", "workers by home zone and work zone",
        "số lao động theo vùng cư trú và vùng làm việc",
    ),
    "mean_commute_min": Variable(
        ("year", "province"), "min",
        "mean one-way peak commute of workers employed in the province",
        "thời gian đi làm một chiều bình quân (giờ cao điểm) của lao động làm việc tại tỉnh",
    ),
    "commute_over_60min_share": Variable(
        ("year", "province"), "1",
        "share of workers employed in the province commuting more than 60 min one way",
        "tỷ lệ lao động làm việc tại tỉnh đi làm một chiều trên 60 phút",
    ),
    "commute_co2_t": Variable(
        ("year",), "tCO2", "emissions of commuting trips of the modelled firms' workers",
        "phát thải CO2 do đi lại của lao động các doanh nghiệp được mô hình hóa", kind="flow",
    ),
    "forest_area_ha": Variable(
        ('year', 'province', 'forest_type'), "ha",
        "forest area",
        "diện tích rừng",
    ),
    "forest_carbon_stock_tco2e": Variable(
        ('year', 'province', 'forest_type'), "tCO2e",
        "above- and below-ground biomass carbon stock of forests",
        "trữ lượng các-bon sinh khối trên và dưới mặt đất của rừng",
    ),
    "forest_removals_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "gross removals by forest growth in the year",
        "lượng hấp thụ do rừng sinh trưởng trong năm",
    ),
    "forest_emissions_harvest_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "emissions from harvest in the year (harvested carbon emitted at harvest, IPCC Tier 1)",
        "phát thải do khai thác gỗ trong năm",
    ),
    "forest_emissions_fire_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "emissions from forest fire in the year",
        "phát thải do cháy rừng trong năm",
    ),
    "forest_emissions_conversion_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "emissions from forest converted to industrial land in the year",
        "phát thải do chuyển đổi rừng sang đất công nghiệp trong năm",
    ),
    "forest_net_absorption_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "net forest absorption: removals minus harvest, fire and conversion emissions "
        "(positive = sink)",
        "hấp thụ ròng của rừng: hấp thụ trừ phát thải (dương = bể hấp thụ)", kind="flow",
    ),
    "plantation_rotation_age": Variable(
        ('year', 'province'), "yr",
        "mean age at harvest of plantation stands harvested in the year (area-weighted)",
        "tuổi khai thác bình quân của rừng trồng khai thác trong năm", kind="state",
    ),
    "carbon_credits_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "forest carbon credits issued in the year: the increase of additional stock above its "
        "highest credited level, after the buffer and leakage deductions (VCS)",
        "tín chỉ các-bon rừng được cấp trong năm (phần tăng trữ lượng bổ sung, sau khi trừ dự "
        "phòng và rò rỉ)", kind="flow",
    ),
    "credit_reversals_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "credited carbon reversed in the year (fire, harvest below the baseline), debited from "
        "the buffer pool first and then cancelled from issued credits",
        "lượng tín chỉ bị đảo ngược trong năm (trừ vào quỹ dự phòng trước, sau đó hủy tín chỉ)",
        kind="flow",
    ),
    "credit_cancellations_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "issued credits cancelled in the year: the part of a reversal the buffer pool could not "
        "cover",
        "tín chỉ đã cấp bị hủy trong năm (phần đảo ngược vượt quá quỹ dự phòng)", kind="flow",
    ),
    "buffer_pool_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "balance of the province's buffer pool at year end",
        "số dư quỹ dự phòng tín chỉ của tỉnh cuối năm", kind="stock",
    ),
    "additional_stock_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "cumulative additional carbon stock: project stock minus baseline stock (or cumulative "
        "net absorption above the reference level) since the scheme started",
        "trữ lượng các-bon bổ sung lũy kế: trữ lượng dự án trừ trữ lượng kịch bản cơ sở",
        kind="stock",
    ),
    "credit_leakage_tco2e": Variable(
        ('year', 'province'), "tCO2e",
        "leakage deducted in the year: harvest displaced to forests outside the scheme",
        "lượng rò rỉ bị khấu trừ trong năm (khai thác chuyển sang rừng ngoài chương trình)",
        kind="flow",
    ),
    "carbon_payments_vnd": Variable(
        ('year', 'province'), "VND",
        "carbon payments forest owners receive in the year (their share of the credit price per "
        "tonne of additional stock gained, charged per tonne lost; the buffer and leakage "
        "shares are not paid to them)",
        "tiền chi trả các-bon chủ rừng nhận trong năm (không gồm phần dự phòng và rò rỉ; âm là "
        "bị thu lại)", kind="flow",
    ),
    "pfes_payments_vnd": Variable(
        ('year', 'province'), "VND",
        "payments for forest environmental services",
        "chi trả dịch vụ môi trường rừng", kind="flow",
    ),
    "afforested_ha": Variable(
        ('year', 'province'), "ha",
        "new forest planted on bare land in the year",
        "diện tích trồng rừng mới trên đất trống trong năm",
    ),
    "forest_converted_ha": Variable(
        ('year', 'province'), "ha",
        "forest converted to industrial land in the year",
        "diện tích rừng chuyển sang đất công nghiệp trong năm",
    ),
    "travel_time_to_centre_min": Variable(
        ("year", "period", "zone", "mode"), "min",
        "one-way travel time to central Hà Nội",
        "thời gian di chuyển một chiều đến trung tâm Hà Nội",
    ),
    "travel_time_to_airport_min": Variable(
        ("year", "period", "zone", "mode"), "min",
        "one-way travel time to Nội Bài airport",
        "thời gian di chuyển một chiều đến sân bay Nội Bài",
    ),
    "travel_time_to_port_min": Variable(
        ("year", "period", "zone", "mode"), "min",
        "one-way travel time to Hải Phòng seaport",
        "thời gian di chuyển một chiều đến cảng Hải Phòng",
    ),
    "rail_service": Variable(
        ("year", "period", "zone"), "1",
        "zone has a rail trip to central Hà Nội faster than by feeder road alone",
        "vùng có chuyến đường sắt đến trung tâm Hà Nội nhanh hơn chỉ đi đường bộ",
    ),
    "zone_population": Variable(("zone",), "count", "population", "dân số"),
    "zone_labour_force": Variable(("zone",), "count", "labour force", "lực lượng lao động"),
    "cluster_lettable_ha": Variable(
        ("cluster",), "ha", "lettable land once fully serviced",
        "diện tích đất có thể cho thuê khi hoàn thiện hạ tầng",
    ),
    "corridor_open_year": Variable(
        ("corridor",), "year",
        "year the corridor is complete (its last section opens) in this scenario; NaN: never",
        "năm hành lang hoàn thành (đoạn cuối cùng thông xe) trong kịch bản; NaN: không hoàn thành",
    ),
}


class Recorder:
    """Collects one array per variable and year during a run."""

    def __init__(self, years: range):
        self.years = list(years)
        self._data: dict[str, list[np.ndarray | None]] = {}

    def record(self, name: str, year: int, value: np.ndarray) -> None:
        """Store the value of a yearly variable (``year`` must be in the run's horizon)."""
        series = self._data.setdefault(name, [None] * len(self.years))
        series[year - self.years[0]] = np.asarray(value)

    def arrays(self) -> dict[str, np.ndarray]:
        """Yearly variables stacked along a leading year axis (NaN for unrecorded years)."""
        out = {}
        for name, series in self._data.items():
            template = next(v for v in series if v is not None)
            filled = [
                v if v is not None else np.full(template.shape, np.nan) for v in series
            ]
            out[name] = np.stack(filled).astype(float)
        return out


def model_version() -> str:
    """Installed package version (``0+unknown`` when run from an uninstalled checkout)."""
    try:
        return version("hncr-model")
    except PackageNotFoundError:
        return "0+unknown"


def git_commit() -> str:
    """Commit of the checkout the package runs from, ``-dirty`` if modified, else ``unknown``."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PACKAGE_DIR, capture_output=True, text=True,
            timeout=5, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=PACKAGE_DIR,
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}-dirty" if dirty else head or "unknown"


def coordinates(region: Region, years: range) -> dict[str, tuple | np.ndarray]:
    """Dimension and auxiliary coordinates shared by every run on ``region``."""
    zones, clusters = region.zones, region.clusters
    corridors = sorted({c for c in region.links["corridor"].dropna() if c})
    names = corridor_names(region)
    return {
        "year": ("year", np.arange(years.start, years.stop, dtype=np.int64)),
        "province": ("province", np.array(region.province_names, dtype=object)),
        "zone": ("zone", zones["zone_id"].to_numpy(dtype=object)),
        "zone_name": ("zone", zones["name"].to_numpy(dtype=object)),
        "zone_province": ("zone", zones["province"].to_numpy(dtype=object)),
        "zone_lat": ("zone", zones["lat"].to_numpy(dtype=float)),
        "zone_lon": ("zone", zones["lon"].to_numpy(dtype=float)),
        "cluster": ("cluster", clusters["cluster_id"].to_numpy(dtype=object)),
        "cluster_name": ("cluster", clusters["name"].to_numpy(dtype=object)),
        "cluster_province": ("cluster", clusters["province"].to_numpy(dtype=object)),
        "cluster_zone": ("cluster", clusters["zone_id"].to_numpy(dtype=object)),
        "cluster_kind": ("cluster", clusters["kind"].to_numpy(dtype=object)),
        "cluster_priority": ("cluster", clusters["priority"].to_numpy(dtype=bool)),
        "mode": ("mode", np.array(MODES, dtype=object)),
        "period": ("period", np.array(PERIODS, dtype=object)),
        "work_zone": ("work_zone", zones["zone_id"].to_numpy(dtype=object)),
        "forest_type": ("forest_type", np.array(FOREST_TYPES, dtype=object)),
        "sector": ("sector", region.sectors["sector_id"].to_numpy(dtype=object)),
        "corridor": ("corridor", np.array(corridors, dtype=object)),
        "corridor_name": ("corridor", np.array([names[c] for c in corridors], dtype=object)),
    }


def _name_ends_at(head: str, tails: list[str]) -> bool:
    """``head`` is a whole name: brackets closed, every name goes on with " (" or " –"."""
    # " –" may follow a name ("Ring Road 5 – …"), not cut a list of places ("A – B – C").
    ends = (" (", " –") if " – " not in head else (" (",)
    return head.count("(") == head.count(")") and all(t == "" or t.startswith(ends)
                                                      for t in tails)


def corridor_names(region: Region) -> dict[str, str]:
    """A readable name per corridor id, from the names of its links in ``links.csv``.

    The links' common beginning when it ends where every name goes on with " (" or " –"
    ("Ring Road 5 – Thái Nguyên section (open)" and "Ring Road 5 – Bắc Giang – …" give
    "Ring Road 5"); otherwise the first link's name without a final "(part …)", "(open)" or
    "(planned)".
    """
    out = {}
    links = region.links.dropna(subset=["corridor"])
    for corridor, group in links.groupby("corridor"):
        names = [str(n) for n in group["name"]]
        prefix = os.path.commonprefix(names)  # noqa: RUF071 - text, not paths
        cut = next((k for k in range(len(prefix), 7, -1)
                    if _name_ends_at(prefix[:k], [n[k:] for n in names])), 0)
        out[str(corridor)] = names[0][:cut] if cut else re.sub(
            r" \((part|open|planned)[^)]*\)$", "", names[0])
    return out


def build_dataset(
    config: RunConfig, region: Region, yearly: dict[str, np.ndarray],
    static: dict[str, np.ndarray],
) -> xr.Dataset:
    """Label a run's arrays as the results dataset of the contract."""
    data_vars = {name: xr.Variable(VARIABLES[name].dims, values)
                 for name, values in {**yearly, **static}.items()}
    ds = xr.Dataset(data_vars, coords=coordinates(region, config.years))
    ds.attrs.update(
        title="Hà Nội Capital Region scenario model: results of one run",
        scenario=config.scenario,
        seed=np.int64(config.seed),
        agent_scale=float(config.run.agent_scale),
        model_version=model_version(),
        git_commit=git_commit(),
        region_data_sha256=region.sha256,
        region_path=str(region.path),
        config_yaml=config.to_yaml(),
        created_utc=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        Conventions="CF-1.10",
    )
    return cf.annotate(ds, VARIABLES, ds.attrs["model_version"])


def _atomic_write(path: str | Path, write: Callable[[Path], object], what: str) -> Path:
    """Write through ``write(tmp)`` to a temporary file in the same folder, then rename it.

    A reader never sees a half-written file, and a failed write leaves nothing behind.

    Raises:
        OutputError: the folder cannot be created or written.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(
            f"Cannot write {what} to {path}: {exc.strerror or exc}. Choose a writable folder "
            "(hydra.run.dir=... on the command line)."
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_netcdf(ds: xr.Dataset, path: str | Path, complevel: int = 4) -> Path:
    """Write a run's or a sweep's results to netCDF4 atomically (see :func:`_atomic_write`).

    The file follows CF-1.10 (:func:`model.cf.prepare`: attributes from :data:`VARIABLES`, a
    ``history`` line, text as UTF-8 character arrays). Numeric variables are zlib-compressed
    (lossless) at ``complevel``: flow matrices such as ``commute_flow`` are mostly zeros, and a
    140-member sweep's 280 MB shrink to ~20 MB.
    """
    prepared, encoding = cf.prepare(ds, VARIABLES, model_version(), complevel)
    return _atomic_write(path, lambda tmp: prepared.to_netcdf(tmp, engine="netcdf4",
                                                              encoding=encoding), "results")


def write_text(text: str, path: str | Path) -> Path:
    """Write a small text file atomically (see :func:`_atomic_write`)."""
    return _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), "text")


def summarise(ds: xr.Dataset, highlight_zones: tuple[str, ...] = ()) -> str:
    """A short plain-text summary of a run's headline numbers; each line defines its terms.

    Money is in billions of constant VND of the base year, with the period it covers.
    """
    years = ds["year"].values
    first, last = int(years[0]), int(years[-1])
    scale = float(ds.attrs["agent_scale"])
    lines = [
        f"Scenario {ds.attrs['scenario']!r}, seed {ds.attrs['seed']}, {first}-{last}, "
        f"agent scale {scale:g} (one simulated firm or worker per {1 / scale:g} real ones; "
        "counts below are real counts)",
        f"Region: {ds.sizes['zone']} zones in {ds.sizes['province']} provinces, "
        f"{ds.sizes['cluster']} clusters and parks, {ds.sizes['corridor']} named corridors",
    ]
    shown = [z for z in highlight_zones if z in ds["zone"].values]
    if "travel_time_to_centre_min" in ds and shown:
        lines.append(f"Peak-hour one-way travel time to central Hà Nội, min, {first} -> {last} "
                     "(rail: only where a train beats the feeder road; '-' = no such rail):")
        tt = ds["travel_time_to_centre_min"]
        served = ds["rail_service"].sel(period="peak") if "rail_service" in ds else None
        for zone in shown:
            car = tt.sel(zone=zone, mode="car", period="peak").values
            rail = tt.sel(zone=zone, mode="rail", period="peak").values
            if served is not None:
                ok = served.sel(zone=zone).values > 0
                rail = np.where(ok, rail, np.nan)
            name = str(ds["zone_name"].sel(zone=zone).values)
            ends = [f"{v:5.0f}" if np.isfinite(v) else "    -" for v in (rail[0], rail[-1])]
            lines.append(f"  {name:<14} car {car[0]:5.0f} -> {car[-1]:4.0f}   "
                         f"rail {ends[0]} -> {ends[1].strip():>4}")
    if "province_occupancy" in ds:
        milestones = [y for y in (first, 2030, 2035, last) if first <= y <= last]
        milestones = sorted(set(milestones))
        lines.append("Occupancy of clusters and parks (land let / serviced land), "
                     + " -> ".join(map(str, milestones)) + ":")
        occ = ds["province_occupancy"].sel(year=milestones)
        for province in ds["province"].values:
            values = " -> ".join(f"{v:4.0%}" if np.isfinite(v) else "   -"
                                 for v in occ.sel(province=province).values)
            lines.append(f"  {province:<14} {values}")
    if "firms_relocated" in ds:
        moved = ds["firms_relocated"].sum("year")
        parts = ", ".join(f"{p} {v:,.0f}" for p, v in moved.to_series().items() if v > 0)
        lines.append(f"Firms that moved from Hà Nội into clusters, {first + 1}-{last} in total: "
                     f"{moved.sum().item():,.0f}" + (f" ({parts})" if parts else ""))
    if "rent_forgone_vnd" in ds:
        forgone = ds["rent_forgone_vnd"].sum("year")
        parts = ", ".join(f"{p} {v / 1e9:,.0f}" for p, v in forgone.to_series().items() if v > 0)
        lines.append(f"Land rent forgone through exemptions, {first + 1}-{last} in total: "
                     f"{forgone.sum().item() / 1e9:,.0f} bn VND at {first} prices"
                     + (f" ({parts})" if parts else ""))
    if "workers_quit" in ds:
        end = ds.sel(year=last)
        commute = end["workers_commuting"].sum().item()
        moved = end["workers_moved_home"].item()
        quit_ = end["workers_quit"].item()
        share = (commute + moved) / (commute + moved + quit_) if commute + moved + quit_ else 0.0
        lines.append(f"Workers of relocated firms by {last}: {commute:,.0f} commute, {moved:,.0f} "
                     f"moved home, {quit_:,.0f} quit; {share:.0%} kept their job (commute or "
                     "moved home)")
        lines.append(f"Commuting CO2 of those workers in {last}: "
                     f"{end['commute_co2_t'].item() / 1e3:,.0f} kt/yr")
    if "forest_carbon_stock_tco2e" in ds:
        stock = ds["forest_carbon_stock_tco2e"].sum("forest_type")
        absorbed = ds["forest_net_absorption_tco2e"].sel(year=slice(first + 1, last)).sum("year")
        forested = [p for p in ds["province"].values if stock.sel(province=p, year=first) > 0]
        lines.append(f"Forest carbon stock, MtCO2e, {first} -> {last}; net absorption (growth "
                     f"minus harvest, fire and conversion), MtCO2e, {first + 1}-{last} in total:")
        for p in forested:
            lines.append(f"  {p:<14} {stock.sel(province=p, year=first).item() / 1e6:7.1f} -> "
                         f"{stock.sel(province=p, year=last).item() / 1e6:7.1f}   absorbed "
                         f"{absorbed.sel(province=p).item() / 1e6:6.1f}")
    if "corridor_open_year" in ds:
        opened = ds["corridor_open_year"].to_series().dropna()
        in_horizon = opened[(opened > first) & (opened <= last)]
        names = (dict(zip(ds["corridor"].values, ds["corridor_name"].values, strict=True))
                 if "corridor_name" in ds.coords else {})
        if len(in_horizon):
            listed = ", ".join(f"{names.get(k, k)} ({int(v)})"
                               for k, v in in_horizon.sort_values().items())
            lines.append(f"Corridors completed (last section open) in {first + 1}-{last}: "
                         f"{listed}")
    return "\n".join(lines)
