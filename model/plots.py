"""Figures of a run or a sweep, in English or Vietnamese.

Each function takes a results dataset — one run (``results.nc``, one scenario, one seed) or a sweep
(``sweep.nc``, dimensions ``scenario`` and ``seed`` and perhaps swept settings, folded into the
scenario label by :func:`model.compare.as_sweep`) — and ``lang="en"`` or ``"vi"``, and returns a
:class:`matplotlib.figure.Figure` (never registered with pyplot, so any number can be made and
nothing is shown). Lines are medians across seeds, bands and whiskers the 5–95 % range across
seeds, bars medians and their whiskers the same range; the legend says which marks a figure
draws. With one seed there is no range and the legend says so.

- :func:`occupancy_figure`: province occupancy over time, one panel per province;
- :func:`relocation_figure`: cumulative firms relocated and jobs by destination province;
- :func:`forest_figure`: net forest absorption and carbon stock of the forest provinces;
- :func:`commuting_figure`: mean commute, share over 60 min, mode split of commuters;
- :func:`map_figure`: zones, clusters (size = land let, colour = occupancy) and corridors
  (colour = opening year) on longitude/latitude; no tile server is needed;
- :func:`cost_figure`: policy cost (rent forgone, carbon and PFES payments) against the hectares let
  and the tCO2e absorbed, relative to the baseline where the data has one.

All fixed text is in :data:`TEXT` (one entry per phrase, both languages); units come with the
labels. Province names and scenario ids are shown as they are. Styling is applied inside
:func:`style` (a context manager), so importing or calling this module changes no global setting.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import matplotlib.patches
import numpy as np
import pandas as pd
import seaborn as sns
import xarray as xr
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .compare import (
    FOCUS_PROVINCES,
    as_sweep,
    baseline_of,
    last_year,
    paired_difference,
    scenario_order,
    spread,
    weighted_mean,
)

LANGS = ("en", "vi")

TEXT: dict[str, dict[str, str]] = {
    "year": {"en": "Year", "vi": "Năm"},
    "scenario": {"en": "Scenario", "vi": "Kịch bản"},
    "bands_lines": {"en": "lines: median across {n} seeds; shaded bands: 5–95 % range",
                    "vi": "đường: trung vị của {n} lần chạy (seed); dải mờ: khoảng 5–95 %"},
    "bands_both": {"en": "lines and bars: median across {n} seeds; shaded bands and whiskers: "
                         "5–95 % range",
                   "vi": "đường và cột: trung vị của {n} lần chạy (seed); dải mờ và râu: khoảng "
                         "5–95 %"},
    "bands_bars": {"en": "bars: median across {n} seeds; whiskers: 5–95 % range",
                   "vi": "cột: trung vị của {n} lần chạy (seed); râu: khoảng 5–95 %"},
    "bands_points": {"en": "circles: medians across {n} seeds",
                     "vi": "vòng tròn: trung vị của {n} lần chạy (seed)"},
    "one_seed": {"en": "one seed: no range across seeds (run a sweep over seeds for ranges)",
                 "vi": "một lần chạy (seed): không có khoảng dao động (chạy nhiều seed để có "
                       "khoảng)"},
    "occ_title": {"en": "Occupancy of industrial clusters and parks by province",
                  "vi": "Tỷ lệ lấp đầy khu, cụm công nghiệp theo tỉnh"},
    "occ_y": {"en": "Occupancy (% of serviced land)", "vi": "Tỷ lệ lấp đầy (% đất có hạ tầng)"},
    "reloc_title": {"en": "Firms relocated from Hà Nội and jobs, by destination province",
                    "vi": "Doanh nghiệp di dời khỏi Hà Nội và việc làm, theo tỉnh đến"},
    "reloc_total_t": {"en": "All destinations", "vi": "Mọi tỉnh đến"},
    "reloc_cum_t": {"en": "By destination, cumulative {y0}–{y1}",
                    "vi": "Theo tỉnh đến, lũy kế {y0}–{y1}"},
    "reloc_y": {"en": "Firms relocated, cumulative (firms)",
                "vi": "Doanh nghiệp di dời, lũy kế (doanh nghiệp)"},
    "jobs_t": {"en": "Jobs in modelled firms, {y}",
               "vi": "Việc làm trong doanh nghiệp được mô hình hóa, năm {y}"},
    "jobs_y": {"en": "Jobs (jobs)", "vi": "Việc làm (chỗ làm việc)"},
    "destination": {"en": "Destination province", "vi": "Tỉnh đến"},
    "province": {"en": "Province", "vi": "Tỉnh"},
    "forest_title": {"en": "Forest carbon: net absorption (positive = sink) and stock",
                     "vi": "Các-bon rừng: hấp thụ ròng (dương = bể hấp thụ) và trữ lượng"},
    "forest_net": {"en": "Net absorption (ktCO2e/yr)", "vi": "Hấp thụ ròng (nghìn tCO2e/năm)"},
    "forest_stock": {"en": "Carbon stock (MtCO2e)", "vi": "Trữ lượng các-bon (triệu tCO2e)"},
    "commute_title": {"en": "Commuting of the modelled firms' workers",
                      "vi": "Đi làm của lao động các doanh nghiệp được mô hình hóa"},
    "commute_mean_t": {"en": "Mean one-way peak commute, all jobs held",
                       "vi": "Thời gian đi làm một chiều bình quân (cao điểm)"},
    "commute_mean": {"en": "Commute time (min)", "vi": "Thời gian đi làm (phút)"},
    "commute_60_t": {"en": "Workers commuting over 60 min one way",
                     "vi": "Lao động đi làm một chiều trên 60 phút"},
    "commute_60": {"en": "Share of workers (%)", "vi": "Tỷ lệ lao động (%)"},
    "mode_share_t": {"en": "Main mode of commuters of relocated firms, {y}",
                     "vi": "Phương tiện của lao động doanh nghiệp di dời, năm {y}"},
    "mode_share": {"en": "Mode share (%)", "vi": "Tỷ trọng phương tiện (%)"},
    "mode": {"en": "Main mode", "vi": "Phương tiện chính"},
    "motorbike": {"en": "motorbike", "vi": "xe máy"},
    "car": {"en": "car", "vi": "ô tô"},
    "shuttle_bus": {"en": "shuttle bus", "vi": "xe đưa đón"},
    "public_bus": {"en": "public bus", "vi": "xe buýt công cộng"},
    "rail": {"en": "rail", "vi": "đường sắt"},
    "map_title": {"en": "Industrial clusters and transport corridors, {y}",
                  "vi": "Khu, cụm công nghiệp và hành lang giao thông, năm {y}"},
    "lon": {"en": "Longitude (°E)", "vi": "Kinh độ (°Đ)"},
    "lat": {"en": "Latitude (°N)", "vi": "Vĩ độ (°B)"},
    "open_year": {"en": "Corridor opening year (year)", "vi": "Năm thông tuyến hành lang (năm)"},
    "occ_colour": {"en": "Cluster occupancy (%)", "vi": "Tỷ lệ lấp đầy của khu, cụm (%)"},
    "land_let": {"en": "Land let (ha)", "vi": "Đất đã cho thuê (ha)"},
    "links_open": {"en": "link open before {y}", "vi": "tuyến đã có trước {y}"},
    "links_closed": {"en": "not open by {y}", "vi": "chưa thông tuyến đến {y}"},
    "zone": {"en": "zone centre", "vi": "trung tâm vùng"},
    "cost_title": {"en": "Policy cost and what it bought, {y0}–{y1}, relative to the baseline",
                   "vi": "Chi phí chính sách và kết quả đạt được, {y0}–{y1}, so với kịch bản cơ "
                         "sở"},
    "cost_title_abs": {"en": "Policy cost and outcomes, {y0}–{y1} (no baseline in the data: "
                             "absolute values)",
                       "vi": "Chi phí chính sách và kết quả, {y0}–{y1} (dữ liệu không có kịch bản "
                             "cơ sở: giá trị tuyệt đối)"},
    "cost_t": {"en": "Extra cost, cumulative {y0}–{y1}",
               "vi": "Chi phí tăng thêm, lũy kế {y0}–{y1}"},
    "cost_t_abs": {"en": "Cost, cumulative {y0}–{y1}", "vi": "Chi phí, lũy kế {y0}–{y1}"},
    "cost_y": {"en": "Cost (bn VND)", "vi": "Chi phí (tỷ đồng)"},
    "rent": {"en": "land rent forgone", "vi": "tiền thuê đất được miễn"},
    "carbon": {"en": "carbon payments", "vi": "chi trả các-bon"},
    "pfes": {"en": "PFES payments", "vi": "chi trả dịch vụ môi trường rừng"},
    "ha_t": {"en": "Extra land let in clusters, {y}",
             "vi": "Đất cho thuê tăng thêm trong khu, cụm, năm {y}"},
    "ha_t_abs": {"en": "Land let in clusters, {y}",
                 "vi": "Đất đã cho thuê trong khu, cụm, năm {y}"},
    "ha_y": {"en": "Land let (ha)", "vi": "Đất cho thuê (ha)"},
    "co2_t": {"en": "Extra net forest absorption, cumulative {y0}–{y1}",
              "vi": "Hấp thụ ròng của rừng tăng thêm, lũy kế {y0}–{y1}"},
    "co2_t_abs": {"en": "Net forest absorption, cumulative {y0}–{y1}",
                  "vi": "Hấp thụ ròng của rừng, lũy kế {y0}–{y1}"},
    "co2_y": {"en": "Net absorption (ktCO2e)", "vi": "Hấp thụ ròng (nghìn tCO2e)"},
    "paired": {"en": "differences paired by seed (the whisker is the range of the total)",
               "vi": "chênh lệch tính theo từng seed (râu là khoảng của tổng)"},
}
"""Every fixed text of the figures, in English and Vietnamese."""

BASELINE_COLOUR = "#4d4d4d"


def tr(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang``, with ``{placeholders}`` filled."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return TEXT[key][lang].format(**values)


@contextmanager
def style() -> Iterator[None]:
    """The figures' style (seaborn whitegrid, DejaVu Sans for Vietnamese), restored on exit."""
    with mpl.rc_context({"font.family": "DejaVu Sans", "axes.titlesize": 10,
                         "axes.labelsize": 9, "xtick.labelsize": 8, "ytick.labelsize": 8,
                         "legend.fontsize": 8, "figure.titlesize": 12}):
        with sns.axes_style("whitegrid"):
            yield


def colours(scenarios: list[str]) -> dict[str, str]:
    """A colour per scenario: the baseline dark grey, the others seaborn's colour-blind palette."""
    others = [s for s in scenarios if s.split("|")[0] != "baseline"]
    palette = sns.color_palette("colorblind", max(len(others), 1)).as_hex()
    out = {s: BASELINE_COLOUR for s in scenarios if s.split("|")[0] == "baseline"}
    out |= dict(zip(others, palette, strict=False))
    return out


def _subtitle(ds: xr.Dataset, lang: str, drawn: str = "lines") -> str:
    """The legend note on seeds: what the marks are (``drawn``: lines, bars, both or points)."""
    n = ds.sizes["seed"]
    return tr("one_seed", lang) if n == 1 else tr(f"bands_{drawn}", lang, n=n)


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _title(ax, text: str) -> None:
    ax.set_title(textwrap.fill(text, 44))


def _legend(fig: Figure, handles: list, heading: str, note: str) -> None:
    """The figure's legend below the panels; its title carries the note on seeds and ranges."""
    fig.legend(handles=handles, title=f"{heading}  ·  {note}" if heading else note,
               loc="outside lower center", ncols=min(len(handles), 6), frameon=False,
               title_fontproperties={"size": 8})


def _finish(fig: Figure, ds: xr.Dataset, title: str, lang: str, handles_for: list[str],
            palette: dict[str, str], drawn: str = "lines") -> Figure:
    fig.suptitle(title, fontweight="bold")
    handles = [Line2D([], [], color=palette[s], lw=2.5, label=s) for s in handles_for]
    _legend(fig, handles, tr("scenario", lang), _subtitle(ds, lang, drawn))
    return fig


def _band(ax, da: xr.DataArray, colour: str, label: str, scale: float = 1.0) -> None:
    """Median line and 5–95 % band across seeds of a (seed, year) array."""
    s = spread(da) * scale
    years = da["year"].values
    ax.plot(years, s["median"].values, color=colour, lw=1.8, label=label)
    if da.sizes.get("seed", 1) > 1:
        ax.fill_between(years, s["p05"].values, s["p95"].values, color=colour, alpha=0.2, lw=0)


def _grouped_bars(ax, table: dict[str, xr.Dataset], categories: list[str], palette: dict,
                  labels: list[str] | None = None, scale: float = 1.0) -> None:
    """Bars of medians with 5–95 % whiskers: one group per category, one bar per scenario."""
    n = len(table)
    width = 0.8 / max(n, 1)
    x = np.arange(len(categories))
    for i, (scenario, s) in enumerate(table.items()):
        med = s["median"].values * scale
        low = np.clip(med - s["p05"].values * scale, 0, None)
        high = np.clip(s["p95"].values * scale - med, 0, None)
        ax.bar(x + (i - (n - 1) / 2) * width, med, width=width * 0.95, color=palette[scenario],
               yerr=np.vstack([low, high]) if s["n"].max() > 1 else None, capsize=2,
               error_kw={"elinewidth": 0.8, "ecolor": "#222222"}, label=scenario)
    ax.set_xticks(x, labels or categories, rotation=30, ha="right")


def _provinces(ds: xr.Dataset) -> list[str]:
    """Provinces with the two receiving provinces first."""
    names = [str(p) for p in ds["province"].values]
    return [p for p in FOCUS_PROVINCES if p in names] + [p for p in names
                                                         if p not in FOCUS_PROVINCES]


def occupancy_figure(ds: xr.Dataset, lang: str = "en") -> Figure:
    """Occupancy of each province's clusters over time, by scenario, with ranges across seeds."""
    ds = as_sweep(ds)
    scenarios = scenario_order(ds)
    palette = colours(scenarios)
    provinces = _provinces(ds)
    ncols = 3
    nrows = int(np.ceil(len(provinces) / ncols))
    with style():
        fig = _new_figure(11, 3.0 * nrows + 1.2)
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
        for ax, province in zip(axes, provinces, strict=False):
            for s in scenarios:
                _band(ax, ds["province_occupancy"].sel(scenario=s, province=province),
                      palette[s], s, scale=100)
            _title(ax, province)
            ax.set_ylim(0, 100)
        for ax in axes[len(provinces):]:
            ax.set_visible(False)
        for ax in axes.reshape(nrows, ncols)[:, 0]:
            ax.set_ylabel(tr("occ_y", lang))
        for ax in axes.reshape(nrows, ncols)[-1, :]:
            ax.set_xlabel(tr("year", lang))
        return _finish(fig, ds, tr("occ_title", lang), lang, scenarios, palette)


def relocation_figure(ds: xr.Dataset, lang: str = "en") -> Figure:
    """Cumulative firms relocated by destination, their total over time, and jobs by province."""
    ds = as_sweep(ds)
    scenarios = scenario_order(ds)
    palette = colours(scenarios)
    provinces = _provinces(ds)
    y0, y1 = int(ds["year"].values[0]), last_year(ds)
    cumulative = ds["firms_relocated"].cumsum("year")
    with style():
        fig = _new_figure(12, 4.6)
        ax_total, ax_dest, ax_jobs = fig.subplots(1, 3, width_ratios=[1.1, 1, 1])
        for s in scenarios:
            _band(ax_total, cumulative.sel(scenario=s).sum("province"), palette[s], s)
        ax_total.set_xlabel(tr("year", lang))
        _title(ax_total, tr("reloc_total_t", lang))
        ax_total.set_ylabel(tr("reloc_y", lang))
        _grouped_bars(ax_dest, {s: spread(cumulative.sel(scenario=s, year=y1, province=provinces))
                                for s in scenarios}, provinces, palette)
        _title(ax_dest, tr("reloc_cum_t", lang, y0=y0, y1=y1))
        ax_dest.set_ylabel(tr("reloc_y", lang))
        ax_dest.set_xlabel(tr("destination", lang))
        _grouped_bars(ax_jobs, {s: spread(ds["jobs"].sel(scenario=s, year=y1, province=provinces))
                                for s in scenarios}, provinces, palette)
        _title(ax_jobs, tr("jobs_t", lang, y=y1))
        ax_jobs.set_ylabel(tr("jobs_y", lang))
        ax_jobs.set_xlabel(tr("province", lang))
        for ax in (ax_total, ax_dest, ax_jobs):
            ax.yaxis.set_major_formatter(_thousands(lang))
        return _finish(fig, ds, tr("reloc_title", lang), lang, scenarios, palette, "both")


def forest_provinces(ds: xr.Dataset) -> list[str]:
    """Provinces with forest (a carbon stock), the receiving provinces first."""
    stock = ds["forest_carbon_stock_tco2e"].sum("forest_type")
    other = [d for d in stock.dims if d != "province"]
    has = stock.fillna(0).max(other) > 0
    with_forest = {str(p) for p in ds["province"].values[has.values]}
    return [p for p in _provinces(ds) if p in with_forest or p in FOCUS_PROVINCES]


def forest_figure(ds: xr.Dataset, lang: str = "en") -> Figure:
    """Net absorption and carbon stock over time for the provinces with forest, by scenario."""
    ds = as_sweep(ds)
    scenarios = scenario_order(ds)
    palette = colours(scenarios)
    provinces = forest_provinces(ds)
    stock = ds["forest_carbon_stock_tco2e"].sum("forest_type")
    net = ds["forest_net_absorption_tco2e"]
    with style():
        fig = _new_figure(3.6 * len(provinces) + 1, 6.6)
        axes = fig.subplots(2, len(provinces), sharex=True, squeeze=False)
        for j, province in enumerate(provinces):
            for s in scenarios:
                _band(axes[0, j], net.sel(scenario=s, province=province), palette[s], s,
                      scale=1e-3)
                _band(axes[1, j], stock.sel(scenario=s, province=province), palette[s], s,
                      scale=1e-6)
            _title(axes[0, j], province)
            axes[0, j].axhline(0, color="#999999", lw=0.8)
            axes[1, j].set_xlabel(tr("year", lang))
        axes[0, 0].set_ylabel(tr("forest_net", lang))
        axes[1, 0].set_ylabel(tr("forest_stock", lang))
        return _finish(fig, ds, tr("forest_title", lang), lang, scenarios, palette)


def commute_indicators(ds: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray]:
    """Mean commute (min) and share over 60 min of all modelled jobs held, by scenario/seed/year.

    Provinces are weighted by the jobs held in them (jobs minus vacancies).
    """
    held = ds["jobs"] - ds["vacancies"] if "vacancies" in ds else ds["jobs"]
    held = held.clip(min=0)
    return (weighted_mean(ds["mean_commute_min"], held, "province"),
            weighted_mean(ds["commute_over_60min_share"], held, "province"))


def mode_shares(ds: xr.Dataset, year: int) -> xr.DataArray:
    """Share of each main mode among commuting workers of relocated firms, per seed (1)."""
    counts = ds["workers_commuting"].sel(year=year)
    total = counts.sum("mode")
    return counts / total.where(total > 0)


def commuting_figure(ds: xr.Dataset, lang: str = "en") -> Figure:
    """Mean commute time and share over 60 min over time; mode split in the last year."""
    ds = as_sweep(ds)
    scenarios = scenario_order(ds)
    palette = colours(scenarios)
    mean_min, over60 = commute_indicators(ds)
    y1 = last_year(ds)
    shares = mode_shares(ds, y1)
    modes = [str(m) for m in ds["mode"].values]
    with style():
        fig = _new_figure(12, 4.6)
        ax_mean, ax_60, ax_mode = fig.subplots(1, 3, width_ratios=[1, 1, 1.2])
        for s in scenarios:
            _band(ax_mean, mean_min.sel(scenario=s), palette[s], s)
            _band(ax_60, over60.sel(scenario=s), palette[s], s, scale=100)
        _title(ax_mean, tr("commute_mean_t", lang))
        ax_mean.set_ylabel(tr("commute_mean", lang))
        _title(ax_60, tr("commute_60_t", lang))
        ax_60.set_ylabel(tr("commute_60", lang))
        for ax in (ax_mean, ax_60):
            ax.set_xlabel(tr("year", lang))
            ax.set_ylim(bottom=0)
        _grouped_bars(ax_mode, {s: spread(shares.sel(scenario=s)) for s in scenarios}, modes,
                      palette, labels=[tr(m, lang) if m in TEXT else m for m in modes], scale=100)
        _title(ax_mode, tr("mode_share_t", lang, y=y1))
        ax_mode.set_ylabel(tr("mode_share", lang))
        ax_mode.set_xlabel(tr("mode", lang))
        return _finish(fig, ds, tr("commute_title", lang), lang, scenarios, palette, "both")


def _region(ds: xr.Dataset, region=None):
    from .region import Region

    if region is not None:
        return region
    path = ds.attrs.get("region_path")
    if path and Path(path).is_dir():
        return Region.load(path)
    return Region.load()


def _cluster_points(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of each cluster: its zone's centre, spread on a small ring."""
    zone_lon = dict(zip(ds["zone"].values, ds["zone_lon"].values, strict=True))
    zone_lat = dict(zip(ds["zone"].values, ds["zone_lat"].values, strict=True))
    seen: dict[str, int] = {}
    lon, lat = [], []
    for zone in ds["cluster_zone"].values:
        k = seen.get(zone, 0)
        seen[zone] = k + 1
        angle, radius = k * 2.4, 0.012 * np.sqrt(k)
        lon.append(zone_lon[zone] + radius * np.cos(angle))
        lat.append(zone_lat[zone] + radius * np.sin(angle))
    return np.array(lon), np.array(lat)


def map_figure(ds: xr.Dataset, lang: str = "en", region=None) -> Figure:
    """Zones, clusters sized by land let in the last year and corridors by opening year.

    One panel per scenario. Links come from the run's region (``region_path`` attribute, or the
    default region when that folder is not there); a corridor's colour is the year the scenario
    completes it (``corridor_open_year``), links open before the horizon are grey and links not
    open by its end dashed.
    """
    ds = as_sweep(ds)
    region = _region(ds, region)
    scenarios = scenario_order(ds)
    y0, y1 = int(ds["year"].values[0]), last_year(ds)
    lon, lat = _cluster_points(ds)
    zones = region.zones.set_index("zone_id")
    links = region.links
    ncols = min(len(scenarios), 2)
    nrows = int(np.ceil(len(scenarios) / ncols))
    year_norm = mpl.colors.Normalize(vmin=y0, vmax=y1)
    year_cmap = mpl.colormaps["viridis"]
    occ_cmap = mpl.colormaps["YlOrRd"]
    occ_norm = mpl.colors.Normalize(vmin=0, vmax=100)
    occupied = spread(ds["cluster_occupied_ha"].sel(year=y1))["median"]
    occupancy = spread(ds["cluster_occupancy"].sel(year=y1))["median"] * 100
    size_max = float(occupied.max()) or 1.0
    with style():
        fig = _new_figure(6.2 * ncols + 1.6, 5.6 * nrows + 1.2)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, s in zip(axes, scenarios, strict=False):
            opens = {}
            if "corridor_open_year" in ds:
                opened = spread(ds["corridor_open_year"].sel(scenario=s))["median"]
                opens = dict(zip(ds["corridor"].values, opened.values, strict=True))
            segments: dict[tuple, list] = {}
            for link in links.itertuples():
                a, b = zones.loc[link.from_zone], zones.loc[link.to_zone]
                corridor = link.corridor if isinstance(link.corridor, str) else None
                if corridor:
                    year = opens.get(corridor, np.nan)
                else:
                    year = float(link.open_year) if pd.notna(link.open_year) else np.nan
                if not np.isfinite(year) or year > y1:
                    style_key = ("#aaaaaa", 0.8, "dashed")
                elif year <= y0:
                    style_key = ("#777777", 1.2, "solid") if corridor else ("#bbbbbb", 0.6,
                                                                            "solid")
                else:
                    style_key = (mpl.colors.to_hex(year_cmap(year_norm(year))), 2.4, "solid")
                segments.setdefault(style_key, []).append([(a.lon, a.lat), (b.lon, b.lat)])
            # Newer corridors on top: thin grey links first, coloured corridors by year last.
            for (colour, width, line), segs in sorted(segments.items(), key=lambda kv: kv[0][1]):
                ax.add_collection(LineCollection(segs, colors=colour, linewidths=width,
                                                 linestyles=line, zorder=1, capstyle="round"))
            ax.scatter(ds["zone_lon"].values, ds["zone_lat"].values, s=4, color="#333333",
                       zorder=2)
            sizes = 8 + 300 * np.nan_to_num(occupied.sel(scenario=s).values) / size_max
            ax.scatter(lon, lat, s=sizes, c=np.nan_to_num(occupancy.sel(scenario=s).values),
                       cmap=occ_cmap, norm=occ_norm, edgecolor="#333333", linewidth=0.4,
                       alpha=0.85, zorder=3)
            for province, group in region.zones.groupby("province"):
                ax.text(group["lon"].mean(), group["lat"].max() + 0.05, province, fontsize=8,
                        ha="center", fontweight="bold", color="#222222", zorder=4,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.7})
            _title(ax, s)
            ax.set_xlabel(tr("lon", lang))
            ax.set_ylabel(tr("lat", lang))
            ax.set_aspect(1 / np.cos(np.deg2rad(float(np.nanmean(ds["zone_lat"].values)))))
        for ax in axes[len(scenarios):]:
            ax.set_visible(False)
        visible = axes[:len(scenarios)].tolist()
        fig.colorbar(mpl.cm.ScalarMappable(year_norm, year_cmap), ax=visible, shrink=0.6,
                     label=tr("open_year", lang))
        fig.colorbar(mpl.cm.ScalarMappable(occ_norm, occ_cmap), ax=visible, shrink=0.6,
                     label=tr("occ_colour", lang))
        handles = [Line2D([], [], ls="", marker="o", markersize=np.sqrt(8 + 300 * v / size_max),
                          markerfacecolor="#f4a582", markeredgecolor="#333333",
                          label=_fmt_int(v, lang)) for v in _nice_sizes(size_max)]
        handles += [Line2D([], [], color="#777777", lw=1.2, label=tr("links_open", lang, y=y0)),
                    Line2D([], [], color="#aaaaaa", lw=0.8, ls=(0, (3, 2)),
                           label=tr("links_closed", lang, y=y1))]
        _legend(fig, handles, tr("land_let", lang), _subtitle(ds, lang, "points"))
        fig.suptitle(tr("map_title", lang, y=y1), fontweight="bold")
        return fig


def _nice_sizes(size_max: float) -> list[float]:
    top = 10 ** np.floor(np.log10(max(size_max, 1)))
    return sorted({max(round(top / 10), 1), round(top / 2) or 1, round(top)})


def _fmt_int(value: float, lang: str) -> str:
    text = f"{value:,.0f}"
    return text.replace(",", ".") if lang == "vi" else text


def _thousands(lang: str) -> mpl.ticker.FuncFormatter:
    return mpl.ticker.FuncFormatter(lambda v, _pos: _fmt_int(v, lang))


def cost_components(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """Cumulative rent forgone, carbon and PFES payments over the horizon (VND, per run)."""
    out = {"rent": ds["rent_forgone_vnd"].sum(["year", "province"])}
    for key, name in (("carbon", "carbon_payments_vnd"), ("pfes", "pfes_payments_vnd")):
        if name in ds:
            out[key] = ds[name].sum(["year", "province"])
    return out


def cost_outcomes(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """Land let in clusters in the last year (ha) and cumulative net absorption (tCO2e)."""
    return {"ha": ds["cluster_occupied_ha"].sel(year=last_year(ds)).sum("cluster"),
            "co2": ds["forest_net_absorption_tco2e"].sum(["year", "province"], skipna=True)}


def cost_figure(ds: xr.Dataset, lang: str = "en") -> Figure:
    """Cumulative policy cost against hectares let and tCO2e absorbed, by scenario.

    Where the data has a baseline every other scenario is shown minus the baseline, seed by seed;
    otherwise (a single run, or a sweep without the baseline) the absolute values are shown.
    """
    ds = as_sweep(ds)
    scenarios = scenario_order(ds)
    labels = [str(s) for s in ds["scenario"].values]
    pairs = {s: baseline_of(s, labels) for s in scenarios}
    relative = any(b is not None for b in pairs.values())
    shown = [s for s in scenarios if pairs[s] is not None] if relative else scenarios
    palette = colours(scenarios)
    y0, y1 = int(ds["year"].values[0]), last_year(ds)
    components = cost_components(ds)
    outcomes = cost_outcomes(ds)

    def delta(da: xr.DataArray, s: str) -> xr.DataArray:
        return paired_difference(da, s, pairs[s]) if relative else da.sel(scenario=s, drop=True)

    component_colours = {"rent": "#b2182b", "carbon": "#1b7837", "pfes": "#a6dba0"}
    suffix = "" if relative else "_abs"
    with style():
        fig = _new_figure(12, 4.8)
        ax_cost, ax_ha, ax_co2 = fig.subplots(1, 3)
        x = np.arange(len(shown))
        for i, s in enumerate(shown):
            bottom_pos, bottom_neg = 0.0, 0.0
            for key, da in components.items():
                value = float(spread(delta(da, s))["median"]) / 1e9
                base = bottom_pos if value >= 0 else bottom_neg
                ax_cost.bar(i, value, bottom=base, color=component_colours[key], width=0.6)
                if value >= 0:
                    bottom_pos += value
                else:
                    bottom_neg += value
            total = spread(delta(sum(components.values()), s)) / 1e9
            if int(total["n"]) > 1:
                med = float(total["median"])
                ax_cost.errorbar(i, med, yerr=[[med - float(total["p05"])],
                                               [float(total["p95"]) - med]],
                                 color="#222222", capsize=3, lw=0.9)
        _title(ax_cost, tr("cost_t" + suffix, lang, y0=y0, y1=y1))
        ax_cost.set_ylabel(tr("cost_y", lang))
        for ax, key, scale, name in ((ax_ha, "ha", 1.0, "ha"), (ax_co2, "co2", 1e-3, "co2")):
            for i, s in enumerate(shown):
                sp = spread(delta(outcomes[key], s)) * scale
                med = float(sp["median"])
                yerr = None
                if int(sp["n"]) > 1:
                    yerr = [[med - float(sp["p05"])], [float(sp["p95"]) - med]]
                ax.bar(i, med, color=palette[s], width=0.6, yerr=yerr, capsize=3,
                       error_kw={"elinewidth": 0.9})
            _title(ax, tr(f"{name}_t{suffix}", lang, y=y1, y0=y0, y1=y1))
            ax.set_ylabel(tr(f"{name}_y", lang))
        for ax in (ax_cost, ax_ha, ax_co2):
            ax.set_xticks(x, shown, rotation=20, ha="right")
            ax.axhline(0, color="#999999", lw=0.8)
            ax.yaxis.set_major_formatter(_thousands(lang))
        fig.suptitle(tr("cost_title" if relative else "cost_title_abs", lang, y0=y0, y1=y1),
                     fontweight="bold")
        handles = [mpl.patches.Patch(color=component_colours[k], label=tr(k, lang))
                   for k in components]
        _legend(fig, handles, "", _subtitle(ds, lang, "bars") + ("; " + tr("paired", lang)
                                                         if relative else ""))
        return fig


FIGURES = {
    "occupancy": occupancy_figure,
    "relocation": relocation_figure,
    "forest": forest_figure,
    "commuting": commuting_figure,
    "map": map_figure,
    "cost": cost_figure,
}
"""Every figure function by short name (the order of the report)."""


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
