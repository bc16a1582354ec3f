"""The scenario explorer: one self-contained, offline, interactive HTML page for a run or a sweep.

Command line::

    python -m model.explore FOLDER [--lang vi|en] [--out FILE]

``FOLDER`` is a run folder (``results.nc``) or a sweep folder (``sweep.nc``); the page is written
to ``FOLDER/explorer.html`` (or ``FILE``). It needs no network and no server: plotly.js, the data
and the page's own script are all inside the file, and a Content-Security-Policy of
``default-src 'none'`` forbids the browser any request. Copy it to a USB stick and open it.

The charts are plotly.js's official "basic" partial bundle (scatter, bar, pie; MIT), vendored in
``model/vendor/`` at the version the Python package ``plotly`` inlines with
``include_plotlyjs=True``: the page draws only scatter traces, and the basic bundle (1.2 MB
against 4.8 MB) makes it interactive 2–3 times sooner in headless Chromium (benchmarks/README.md).

What the page holds (built here, drawn by the page's script, ``templates/explorer.html.j2``):

- per indicator, scenario and province (and the whole region), the 5th, 50th and 95th
  percentiles across seeds of the yearly series, and the same of the paired difference to the
  baseline (:func:`model.compare.spread`, :func:`model.compare.paired_difference`): the browser
  never holds per-seed series;
- for the map, per scenario and year, the median across seeds of each cluster's occupancy and
  land let, of the peak travel time from each zone to central Hà Nội by mode, and of each
  corridor's opening year; the network links of the run's region; the province outlines
  shipped in ``model/data/province_outlines.json`` (drawn from the zone seats and Natural Earth's
  coast, see ``model/data/SOURCES.md``);
- the report's headline table in both languages (:func:`model.report.headline_table`).

Indicators whose variables a dataset lacks (e.g. ``buffer_pool_tco2e`` in results written before
the registry accounting) are left out of the page. All fixed text is in :data:`TEXT`; numbers are
formatted per language in the page (``1,234.5`` / ``1.234,5``), as :func:`model.report.fmt` does.

Exit status: 0 when written; 2 when the folder holds no results or jinja2 is missing (one
paragraph, no traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import math
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from . import plots, report
from .compare import (
    BASELINE,
    Results,
    baseline_of,
    load_results,
    paired_difference,
    scenario_order,
    spread,
)
from .errors import UserError
from .outputs import corridor_names, write_text
from .paths import PACKAGE_DIR

TEMPLATE = "explorer.html.j2"
OUTLINES = PACKAGE_DIR / "data" / "province_outlines.json"
PLOTLY_JS = PACKAGE_DIR / "vendor" / "plotly-basic.min.js"
PLOTLY_VERSION = "4.1.1"
"""Version of the vendored plotly.js bundle (``model/vendor/README.md``: why, and how to update)."""
REGION = "_all"
"""The province key of whole-region series."""
PERIOD = "peak"
"""The travel-time period the map shows."""

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Hà Nội Capital Region: scenario explorer",
              "vi": "Vùng Thủ đô Hà Nội: khám phá kịch bản"},
    "subtitle": {"en": "{n_scen} scenario(s) × {n_seed} seed(s), {y0}–{y1}, agent scale {scale}",
                 "vi": "{n_scen} kịch bản × {n_seed} lần chạy (seed), {y0}–{y1}, tỷ lệ tác tử "
                       "{scale}"},
    "lang_switch": {"en": "Tiếng Việt", "vi": "English"},
    "scenarios": {"en": "Scenarios (against the baseline)",
                  "vi": "Kịch bản (so với kịch bản cơ sở)"},
    "province": {"en": "Province", "vi": "Tỉnh"},
    "region": {"en": "Whole region", "vi": "Toàn vùng"},
    "indicator": {"en": "Indicator", "vi": "Chỉ tiêu"},
    "year": {"en": "Year", "vi": "Năm"},
    "delta": {"en": "Show the difference to the baseline",
              "vi": "Hiển thị chênh lệch so với kịch bản cơ sở"},
    "series": {"en": "Time series: median and 5–95 % range across seeds",
               "vi": "Chuỗi thời gian: trung vị và khoảng 5–95 % giữa các lần chạy"},
    "band": {"en": "5–95 %", "vi": "5–95 %"},
    "region_only": {"en": "whole region (no provincial breakdown)",
                    "vi": "toàn vùng (không chia theo tỉnh)"},
    "in_year": {"en": "Values in {y}", "vi": "Giá trị năm {y}"},
    "scenario": {"en": "Scenario", "vi": "Kịch bản"},
    "median": {"en": "Median", "vi": "Trung vị"},
    "range": {"en": "5–95 %", "vi": "5–95 %"},
    "vs_base": {"en": "Δ vs baseline (median, 5–95 %)",
                "vi": "Δ so với cơ sở (trung vị, 5–95 %)"},
    "map": {"en": "Map", "vi": "Bản đồ"},
    "map_scenario": {"en": "Scenario on the map", "vi": "Kịch bản trên bản đồ"},
    "layer": {"en": "Layer", "vi": "Lớp"},
    "layer_occ": {"en": "Cluster occupancy (size: land let)",
                  "vi": "Tỷ lệ lấp đầy khu, cụm (kích thước: đất đã thuê)"},
    "layer_travel": {"en": "Peak travel time to central Hà Nội by {m}",
                     "vi": "Thời gian đi đến trung tâm Hà Nội giờ cao điểm bằng {m}"},
    "layer_corridors": {"en": "Corridors by opening year", "vi": "Hành lang theo năm hoàn thành"},
    "occ_pct": {"en": "occupancy (%)", "vi": "tỷ lệ lấp đầy (%)"},
    "minutes": {"en": "minutes", "vi": "phút"},
    "open_year": {"en": "year completed", "vi": "năm hoàn thành"},
    "opened_before": {"en": "open before {y}", "vi": "thông xe trước {y}"},
    "not_open": {"en": "not open in {y}", "vi": "chưa thông xe năm {y}"},
    "links": {"en": "other links", "vi": "tuyến khác"},
    "zones": {"en": "zones", "vi": "vùng"},
    "clusters": {"en": "clusters and parks", "vi": "khu, cụm công nghiệp"},
    "let_ha": {"en": "land let (ha)", "vi": "đất đã thuê (ha)"},
    "not_serviced": {"en": "no serviced land yet", "vi": "chưa có đất có hạ tầng"},
    "no_travel": {"en": "no trip", "vi": "không có chuyến"},
    "map_note": {"en": "Province outlines are approximate: drawn from the zone seats (half-way "
                       "between neighbouring seats), cut to the coast and the national border of "
                       "Natural Earth (public domain), with each province's official area. They "
                       "are not official boundaries.",
                 "vi": "Ranh giới tỉnh chỉ là gần đúng: vẽ từ các điểm trung tâm vùng (ở giữa "
                       "hai điểm lân cận), cắt theo bờ biển và biên giới quốc gia của Natural "
                       "Earth (phạm vi công cộng), với diện tích chính thức của từng tỉnh. Đây "
                       "không phải địa giới hành chính chính thức."},
    "headline": {"en": "Headline results (as in the report)",
                 "vi": "Kết quả chính (như trong báo cáo)"},
    "how_to_read": report.TEXT["how_to_read"],
    "one_seed": report.TEXT["one_seed"],
    "footer": {"en": "Generated by python -m model.explore from {folder}; model {version}, "
                     "commit {commit}. Works offline: everything is inside this file.",
               "vi": "Tạo bởi python -m model.explore từ {folder}; mô hình {version}, commit "
                     "{commit}. Dùng được khi không có mạng: mọi thứ nằm trong tệp này."},
    # Indicator names (the unit follows in brackets).
    "i_occupancy": {"en": "Cluster occupancy", "vi": "Tỷ lệ lấp đầy khu, cụm công nghiệp"},
    "i_relocated": {"en": "Firms relocated from Hà Nội since {y0} (cumulative)",
                    "vi": "Doanh nghiệp di dời từ Hà Nội từ {y0} (lũy kế)"},
    "i_jobs": {"en": "Jobs in modelled firms",
               "vi": "Việc làm trong doanh nghiệp được mô hình hóa"},
    "i_commute": {"en": "Mean one-way peak commute", "vi": "Thời gian đi làm một chiều bình quân"},
    "i_over60": {"en": "Workers commuting over 60 min one way",
                 "vi": "Lao động đi làm trên 60 phút một chiều"},
    "i_mode": {"en": "Relocated firms' workers commuting by {m}",
               "vi": "Lao động doanh nghiệp di dời đi làm bằng {m}"},
    "i_moved": {"en": "Workers who moved home to keep their job (cumulative)",
                "vi": "Lao động chuyển nơi ở để giữ việc làm (lũy kế)"},
    "i_quit": {"en": "Workers of relocated firms who quit (cumulative)",
               "vi": "Lao động của doanh nghiệp di dời nghỉ việc (lũy kế)"},
    "i_stock": {"en": "Forest carbon stock", "vi": "Trữ lượng các-bon rừng"},
    "i_net": {"en": "Net forest absorption in the year", "vi": "Hấp thụ ròng của rừng trong năm"},
    "i_credits": {"en": "Carbon credits issued in the year", "vi": "Tín chỉ các-bon cấp trong năm"},
    "i_buffer": {"en": "Buffer pool balance", "vi": "Số dư quỹ dự phòng tín chỉ"},
    "i_additional": {"en": "Additional forest carbon stock (project minus baseline)",
                     "vi": "Trữ lượng các-bon rừng bổ sung (dự án trừ đường cơ sở)"},
    "i_carbon_pay": {"en": "Carbon payments in the year", "vi": "Chi trả các-bon trong năm"},
    "i_pfes": {"en": "PFES payments in the year",
               "vi": "Chi trả dịch vụ môi trường rừng trong năm"},
    "i_rent": {"en": "Land rent forgone in the year", "vi": "Tiền thuê đất được miễn trong năm"},
    "i_rent_cum": {"en": "Land rent forgone since {y0} (cumulative)",
                   "vi": "Tiền thuê đất được miễn từ {y0} (lũy kế)"},
    "u_pct": report.TEXT["u_pct"],
    "u_firms": report.TEXT["u_firms"],
    "u_jobs": report.TEXT["u_jobs"],
    "u_workers": report.TEXT["u_workers"],
    "u_min": report.TEXT["u_min"],
    "u_mt": report.TEXT["u_mt"],
    "u_kt": report.TEXT["u_kt"],
    "u_kt_stock": {"en": "ktCO2e", "vi": "nghìn tCO2e"},
    "u_bn_yr": {"en": "bn VND/yr", "vi": "tỷ đồng/năm"},
    "u_bn": report.TEXT["u_bn"],
    "m_motorbike": {"en": "motorbike", "vi": "xe máy"},
    "m_car": {"en": "car", "vi": "ô tô"},
    "m_shuttle_bus": {"en": "shuttle bus", "vi": "xe đưa đón"},
    "m_public_bus": {"en": "public bus", "vi": "xe buýt công cộng"},
    "m_rail": {"en": "rail", "vi": "đường sắt"},
}
"""Every fixed text of the page, in English and Vietnamese (the page switches between them)."""


@dataclass(frozen=True)
class Series:
    """One indicator of the time-series view."""

    key: str
    """Text key of the name (``i_*``), and the id in the page."""
    unit: str
    decimals: int
    compute: Callable[[xr.Dataset], xr.DataArray]
    """(scenario, seed, year[, province]) in the display unit; the region total under ``_all``."""
    needs: tuple[str, ...]
    mode: str = ""


def _sum_region(da: xr.DataArray) -> xr.DataArray:
    """The array with the whole region added as province ``_all`` (sum over provinces)."""
    total = da.sum("province", min_count=1).expand_dims(province=[REGION])
    return xr.concat([da, total], dim="province")


def _occupancy(ds: xr.Dataset) -> xr.DataArray:
    occ = ds["province_occupancy"] * 100
    region = (ds["cluster_occupied_ha"].sum("cluster", min_count=1)
              / ds["cluster_serviced_ha"].sum("cluster", min_count=1) * 100)
    return xr.concat([occ, region.expand_dims(province=[REGION])], dim="province")


def _commuting(name: str, which: int, scale: float) -> Callable[[xr.Dataset], xr.DataArray]:
    """A per-province commuting indicator, with the region's value as the report computes it.

    :func:`model.plots.commute_indicators` weights the provinces by the jobs held in them.
    """
    def compute(ds: xr.Dataset) -> xr.DataArray:
        region = plots.commute_indicators(ds)[which]
        return xr.concat([ds[name], region.expand_dims(province=[REGION])],
                         dim="province") * scale
    return compute


def _per_province(name: str, scale: float, cumulative: bool = False,
                  over: str | None = None) -> Callable[[xr.Dataset], xr.DataArray]:
    def compute(ds: xr.Dataset) -> xr.DataArray:
        da = ds[name]
        if over:
            da = da.sum(over, min_count=1)
        if cumulative:
            da = da.fillna(0).cumsum("year")
        return _sum_region(da * scale)
    return compute


def series_list(ds: xr.Dataset) -> list[Series]:
    """The indicators the dataset can give, in the order of the indicator menu."""
    out = [
        Series("i_occupancy", "u_pct", 1, _occupancy,
               ("province_occupancy", "cluster_occupied_ha", "cluster_serviced_ha")),
        Series("i_relocated", "u_firms", 0, _per_province("firms_relocated", 1, True),
               ("firms_relocated",)),
        Series("i_jobs", "u_jobs", 0, _per_province("jobs", 1), ("jobs",)),
        Series("i_commute", "u_min", 1, _commuting("mean_commute_min", 0, 1),
               ("mean_commute_min", "jobs")),
        Series("i_over60", "u_pct", 1, _commuting("commute_over_60min_share", 1, 100),
               ("commute_over_60min_share", "jobs")),
    ]
    if "mode" in ds.dims:
        out += [Series("i_mode", "u_workers", 0,
                       lambda d, m=str(m): d["workers_commuting"].sel(mode=m, drop=True),
                       ("workers_commuting",), mode=str(m)) for m in ds["mode"].values]
    out += [
        Series("i_moved", "u_workers", 0, lambda d: d["workers_moved_home"],
               ("workers_moved_home",)),
        Series("i_quit", "u_workers", 0, lambda d: d["workers_quit"], ("workers_quit",)),
        Series("i_stock", "u_mt", 2, _per_province("forest_carbon_stock_tco2e", 1e-6,
                                                    over="forest_type"),
               ("forest_carbon_stock_tco2e",)),
        Series("i_net", "u_kt", 1, _per_province("forest_net_absorption_tco2e", 1e-3),
               ("forest_net_absorption_tco2e",)),
        Series("i_credits", "u_kt", 1, _per_province("carbon_credits_tco2e", 1e-3),
               ("carbon_credits_tco2e",)),
        Series("i_buffer", "u_kt_stock", 1, _per_province("buffer_pool_tco2e", 1e-3),
               ("buffer_pool_tco2e",)),
        Series("i_additional", "u_kt_stock", 1, _per_province("additional_stock_tco2e", 1e-3),
               ("additional_stock_tco2e",)),
        Series("i_carbon_pay", "u_bn_yr", 2, _per_province("carbon_payments_vnd", 1e-9),
               ("carbon_payments_vnd",)),
        Series("i_pfes", "u_bn_yr", 2, _per_province("pfes_payments_vnd", 1e-9),
               ("pfes_payments_vnd",)),
        Series("i_rent", "u_bn_yr", 2, _per_province("rent_forgone_vnd", 1e-9),
               ("rent_forgone_vnd",)),
        Series("i_rent_cum", "u_bn", 1, _per_province("rent_forgone_vnd", 1e-9, True),
               ("rent_forgone_vnd",)),
    ]
    return [s for s in out if all(v in ds for v in s.needs)]


def _values(a: np.ndarray, decimals: int) -> list:
    """A numpy array as nested lists rounded to ``decimals``, NaN as ``None`` (JSON null)."""
    rounded = np.round(np.asarray(a, dtype=float), decimals)
    return np.where(np.isfinite(rounded), rounded, None).tolist()


def _quantiles(da: xr.DataArray, decimals: int) -> dict:
    """``{province: [p05, p50, p95]}`` (each a list over years) of a (seed, year[, province])."""
    s = spread(da)
    provinces = [str(p) for p in da["province"].values] if "province" in da.dims else [REGION]
    out = {}
    for p in provinces:
        pick = s.sel(province=p) if "province" in da.dims else s
        out[p] = [_values(pick[k].transpose("year").values, decimals)
                  for k in ("p05", "median", "p95")]
    return out


def series_payload(ds: xr.Dataset) -> list[dict]:
    """Quantiles across seeds of every indicator, scenario and province, and of Δ to baseline."""
    labels = [str(s) for s in ds["scenario"].values]
    out = []
    for s in series_list(ds):
        da = s.compute(ds).transpose("scenario", "seed", "year", ...)
        digits = s.decimals + 1
        values = {label: _quantiles(da.sel(scenario=label, drop=True), digits)
                  for label in labels}
        delta = {}
        for label in labels:
            base = baseline_of(label, labels)
            if base is not None:
                delta[label] = _quantiles(paired_difference(da, label, base), digits)
        out.append({"id": s.key + (f"_{s.mode}" if s.mode else ""), "name": s.key,
                    "mode": s.mode, "unit": s.unit, "decimals": s.decimals,
                    "regional": "province" in da.dims, "values": values, "delta": delta})
    return out


def _median(da: xr.DataArray) -> xr.DataArray:
    return spread(da)["median"] if "seed" in da.dims else da


def map_payload(ds: xr.Dataset) -> dict:
    """What the map draws: places, per scenario and year medians, links, corridors, outlines."""
    region = plots._region(ds)
    scenarios = [str(s) for s in ds["scenario"].values]
    lon, lat = plots._cluster_points(ds)
    zones = {"id": [str(z) for z in ds["zone"].values],
             "name": [str(n) for n in ds["zone_name"].values],
             "province": [str(p) for p in ds["zone_province"].values],
             "lon": _values(ds["zone_lon"].values, 4), "lat": _values(ds["zone_lat"].values, 4)}
    clusters = {"name": [str(n) for n in ds["cluster_name"].values],
                "province": [str(p) for p in ds["cluster_province"].values],
                "lon": _values(lon, 4), "lat": _values(lat, 4)}
    occupancy = _median(ds["cluster_occupancy"] * 100).transpose("scenario", "year", "cluster")
    let = _median(ds["cluster_occupied_ha"]).transpose("scenario", "year", "cluster")
    out = {"zones": zones, "clusters": clusters,
           "occupancy": dict(zip(scenarios, _values(occupancy.values, 0), strict=True)),
           "let_ha": dict(zip(scenarios, _values(let.values, 0), strict=True)),
           "modes": [], "travel": {}, "corridors": {}}
    if "travel_time_to_centre_min" in ds:
        tt = ds["travel_time_to_centre_min"]
        if "period" in tt.dims:
            tt = tt.sel(period=PERIOD if PERIOD in tt["period"].values else tt["period"].values[0])
        tt = _median(tt).transpose("scenario", "mode", "year", "zone")
        out["modes"] = [str(m) for m in tt["mode"].values]
        out["travel"] = {s: dict(zip(out["modes"], _values(tt.sel(scenario=s).values, 0),
                                     strict=True)) for s in scenarios}
    if "corridor_open_year" in ds:
        opened = _median(ds["corridor_open_year"]).transpose("scenario", "corridor")
        out["corridors"] = {s: dict(zip([str(c) for c in ds["corridor"].values],
                                        _values(opened.sel(scenario=s).values, 0), strict=True))
                            for s in scenarios}
    where = region.zones.set_index("zone_id")
    links = []
    for link in region.links.itertuples():
        a, b = where.loc[link.from_zone], where.loc[link.to_zone]
        corridor = link.corridor if isinstance(link.corridor, str) and link.corridor else ""
        opened = float(link.open_year) if not corridor and np.isfinite(link.open_year) else None
        links.append([round(float(a.lon), 4), round(float(a.lat), 4), round(float(b.lon), 4),
                      round(float(b.lat), 4), corridor, opened, str(link.mode)])
    out["links"] = links
    out["corridor_names"] = corridor_names(region)
    out["outlines"] = json.loads(OUTLINES.read_text(encoding="utf-8"))["features"]
    return out


def _table_html(ds: xr.Dataset, lang: str) -> str:
    """The report's headline table as HTML in ``lang``."""
    table = report.headline_table(ds, lang)
    e = html.escape
    head = "".join(f"<th>{y}</th>" for y in table["years"])
    rows = [f"<thead><tr><th>{e(report.tr('indicator', lang))}</th>"
            f"<th>{e(report.tr('scenario', lang))}</th>{head}</tr></thead><tbody>"]
    for group in table["groups"]:
        span = len(group["rows"])
        for i, row in enumerate(group["rows"]):
            first = (f"<th rowspan='{span}' class='ind'>{e(group['name'])} "
                     f"<span class='unit'>({e(group['unit'])})</span></th>") if i == 0 else ""
            cells = "".join(
                f"<td>{e(c['value'])}"
                + (f"<div class='diff'>Δ {e(c['diff'])} {e(group['diff_unit'])}</div>"
                   if c["diff"] else "") + "</td>" for c in row["cells"])
            rows.append(f"<tr>{first}<td class='scen'>{e(row['scenario'])}</td>{cells}</tr>")
    rows.append("</tbody>")
    return f"<table class='headline'>{''.join(rows)}</table>"


def payload(results: Results) -> dict:
    """Everything the page draws, as one JSON-ready dict."""
    ds = results.ds
    attrs = results.attrs
    years = [int(y) for y in ds["year"].values]
    labels = scenario_order(ds)
    return {
        "meta": {
            "years": years, "scenarios": labels,
            "baseline": {s: baseline_of(s, labels) for s in labels},
            "provinces": [str(p) for p in ds["province"].values],
            "seeds": int(ds.sizes["seed"]), "scale": str(attrs.get("agent_scale", "–")),
            "folder": str(results.folder), "version": str(attrs.get("model_version", "–")),
            "commit": str(attrs.get("git_commit", "–"))[:12],
            "has_baseline": any(s.split("|")[0] == BASELINE for s in labels),
        },
        "series": series_payload(ds),
        "map": map_payload(ds),
        "table": {lang: _table_html(ds, lang) for lang in plots.LANGS},
        "text": {lang: {k: v[lang] for k, v in TEXT.items()} for lang in plots.LANGS},
    }


def _script_json(data: object) -> str:
    """JSON safe inside a ``<script>`` element (no ``</``, no NaN)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def plotly_js() -> str:
    """The vendored plotly.js basic bundle, safe inside a ``<script>`` element."""
    return PLOTLY_JS.read_text(encoding="utf-8").replace("</script", "<\\/script")


def render(results: Results, lang: str = "en") -> str:
    """The explorer's HTML."""
    try:
        import jinja2
    except ImportError as exc:
        raise UserError("the explorer needs jinja2: pip install 'hncr-model[report]'") from exc
    if lang not in plots.LANGS:
        raise UserError(f"--lang must be one of {', '.join(plots.LANGS)}, got {lang!r}")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"),
                             autoescape=False, undefined=jinja2.StrictUndefined)
    ds = results.ds
    return env.get_template(TEMPLATE).render(
        lang=lang, title=html.escape(TEXT["title"][lang]),
        subtitle=html.escape(TEXT["subtitle"][lang].format(
            n_scen=ds.sizes["scenario"], n_seed=ds.sizes["seed"], y0=int(ds["year"].values[0]),
            y1=int(ds["year"].values[-1]), scale=results.attrs.get("agent_scale", "–"))),
        plotly=plotly_js(), data=_script_json(payload(results)))


def open_results(path: str | Path) -> Results:
    """Open a run or sweep folder (or ``.nc`` file): the explorer's one way of reading results."""
    return load_results(path)


def write_explorer(folder: str | Path, lang: str = "en", out: str | Path | None = None) -> Path:
    """Write the explorer of the results in ``folder`` to ``out`` (or ``folder/explorer.html``)."""
    results = open_results(folder)
    target = Path(out) if out else results.folder / "explorer.html"
    return write_text(render(results, lang), target)


@contextlib.contextmanager
def headless_chromium(width: int = 1400, height: int = 1000) -> Iterator:
    """A Selenium driver of the system's headless Chromium, logging console and network events.

    Uses Debian's ``chromium`` and ``chromium-driver`` (``$HNCR_CHROMIUM`` or ``chromium`` on the
    PATH, and ``chromedriver``): nothing is downloaded. A fresh profile per driver, no network
    services of the browser (the flags of :data:`model.report.CHROMIUM_FLAGS`).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = report.find_chromium(), shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        raise FileNotFoundError("headless Chromium needs chromium and chromedriver "
                                "(Debian: apt-get install chromium chromium-driver)")
    with tempfile.TemporaryDirectory(prefix="hncr-explorer-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in (*report.CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                     f"--window-size={width},{height}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            yield driver
        finally:
            driver.quit()


def main(argv: list[str] | None = None) -> int:
    """``python -m model.explore FOLDER [--lang vi|en] [--out FILE]``."""
    parser = argparse.ArgumentParser(
        prog="python -m model.explore",
        description="Write the offline, interactive scenario explorer (one HTML file) of a run "
                    "or sweep folder.")
    parser.add_argument("folder", help="a run folder (results.nc) or a sweep folder (sweep.nc)")
    parser.add_argument("--lang", choices=plots.LANGS, default="en",
                        help="language the page opens in (default en; it switches in the page)")
    parser.add_argument("--out", default=None, help="output file (default FOLDER/explorer.html)")
    args = parser.parse_args(argv)
    try:
        path = write_explorer(args.folder, args.lang, args.out)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"written: {path} ({math.ceil(path.stat().st_size / 1e5) / 10:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
