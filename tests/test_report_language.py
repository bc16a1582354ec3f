"""The report and console speak the reader's language: numbers, ranges, names, cautions."""

import re

import numpy as np
import xarray as xr

from model import plots, report
from model.api import HIGHLIGHT_ZONES
from model.compare import load_results
from model.outputs import summarise

from .presentation_data import write_sweep_folder


def spread_of(median, p05, p95, n=2):
    return xr.Dataset({"median": median, "p05": p05, "p95": p95, "n": n})


def test_ranges_are_rounded_like_their_medians_and_degenerate_ranges_say_so():
    assert report.cell(spread_of(39142.0, 26824.0, 39595.0), 0, "en") == "39,100 (26,800–39,600)"
    assert report.cell(spread_of(39142.0, 26824.0, 39595.0), 0, "vi") == "39.100 (26.800–39.600)"
    assert report.cell(spread_of(92.0, 92.01, 91.98), 0, "en") == "92 (all seeds agree)"
    assert report.cell(spread_of(92.0, 92.0, 92.0, 1), 0, "vi") == "92 (1 lần chạy)"
    assert report.cell(spread_of(5.3, 2.7, 5.9), 1, "en", sign=True) == "+5.3 (+2.7 to +5.9)"
    assert report._rng(spread_of(92.0, 92.0, 92.0), 0, "en", "%") == " (all seeds agree)"


def test_setting_values_follow_the_language():
    assert report.fmt_value(30_000_000.0, "vi") == "30.000.000"
    assert report.fmt_value(30_000_000.0, "en") == "30,000,000"
    assert report.fmt_value(0.1, "vi") == "0,1"
    assert report.fmt_value(0.0015, "vi") == "1,50 × 10⁻³"
    shares = {"motorbike": 600.0, "car": 1500.0}
    assert report.fmt_value(shares, "vi") == "motorbike: 600; car: 1.500"
    assert report.fmt_value({}, "vi") == "không có"
    rows, _ = report.assumptions(None, "vi")
    shown = " ".join(r["value"] + " " + r["range"] for r in rows)
    assert not re.search(r"\de[+-]\d", shown) and "{" not in shown


def test_every_source_has_a_confidence():
    rows, _ = report.sources(None)
    assert rows and all(r["confidence"] for r in rows), [r["key"] for r in rows
                                                         if not r["confidence"]]
    assert {r["confidence"] for r in rows} <= {"H", "M", "L", "H/L", "M/L", "L–M", "L-M"}


def test_html_has_no_local_path_names_corridors_and_warns_on_few_agents(sweep, tmp_path):
    folder = write_sweep_folder(sweep, tmp_path / "sweep")
    results = load_results(folder)
    results.attrs["agent_scale"] = 0.05
    html = report.render(results, "vi")
    assert str(tmp_path) not in html and "/work/" not in html
    assert "tỷ lệ tác tử 0,05" in html
    assert "⚠ chỉ dựa trên" in html  # Thái Nguyên's few relocated firms at agent scale 0.05
    names = dict(zip(sweep["corridor"].values, sweep["corridor_name"].values, strict=True))
    assert names["ring_road_4"] == "Capital Region Ring Road 4"
    assert "ring_road_4 (" not in html


def test_legends_describe_what_is_drawn(sweep):
    assert "bars" not in plots._subtitle(sweep, "en", "lines")
    assert "whiskers" in plots._subtitle(sweep, "en", "bars")
    assert "bands" not in plots._subtitle(sweep, "en", "bars")


def test_console_summary_defines_its_terms(runs):
    text = summarise(runs[1], HIGHLIGHT_ZONES)
    assert "kept their job (commute or moved home)" in text
    assert re.search(r"Land rent forgone through exemptions, 2026-2032 in total: [\d,]+ bn VND at "
                     r"2025 prices", text)
    assert "(rail: only where a train beats the feeder road; '-' = no such rail)" in text
    assert "counts below are real counts" in text
    ds = runs[1].copy()
    ds["rail_service"] = xr.zeros_like(ds["rail_service"])
    assert re.search(r"rail\s+- ->\s+-", summarise(ds, HIGHLIGHT_ZONES))
    assert np.isfinite(ds["province_occupancy"]).all()
