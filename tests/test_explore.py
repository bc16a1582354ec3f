"""The scenario explorer: its data, its file, and the page in a real headless Chromium."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from model import explore, plots, report
from model.compare import as_sweep, load_results, paired_difference, spread
from model.region import DEFAULT_REGION_PATH

from .presentation_data import write_run_folder, write_sweep_folder


@pytest.fixture(scope="module")
def sweep_folder(sweep, tmp_path_factory) -> Path:
    return write_sweep_folder(sweep, tmp_path_factory.mktemp("explore_sweep"))


@pytest.fixture(scope="module")
def page(sweep_folder) -> Path:
    assert explore.main([str(sweep_folder)]) == 0
    return sweep_folder / "explorer.html"


@pytest.fixture(scope="module")
def data(page) -> dict:
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script id="explorer-data" type="application/json">(.*?)</script>', text,
                      re.S)
    return json.loads(found.group(1))


def _series(data: dict, key: str) -> dict:
    return next(s for s in data["series"] if s["id"] == key)


# --- The data the page holds ----------------------------------------------------------------

def test_series_are_the_quantiles_across_seeds(sweep, data):
    ds = as_sweep(sweep)
    occ = _series(data, "i_occupancy")
    expected = spread(ds["province_occupancy"].sel(scenario="phu_tho_programme",
                                                   province="Phú Thọ") * 100)
    p05, p50, p95 = occ["values"]["phu_tho_programme"]["Phú Thọ"]
    np.testing.assert_allclose(p50, expected["median"].values, atol=0.01)
    np.testing.assert_allclose(p05, expected["p05"].values, atol=0.01)
    np.testing.assert_allclose(p95, expected["p95"].values, atol=0.01)
    assert all(lo <= mid <= hi for lo, mid, hi in zip(p05, p50, p95, strict=True))


def test_difference_to_baseline_is_paired_seed_by_seed(sweep, data):
    ds = as_sweep(sweep)
    jobs = _series(data, "i_jobs")
    diff = spread(paired_difference(ds["jobs"], "phu_tho_programme", "baseline").sel(
        province="Thái Nguyên"))
    np.testing.assert_allclose(jobs["delta"]["phu_tho_programme"]["Thái Nguyên"][1],
                               diff["median"].values, atol=0.1)
    assert "baseline" not in jobs["delta"]


def test_region_series_sum_provinces_and_weight_occupancy_by_area(sweep, data):
    ds = as_sweep(sweep)
    jobs = _series(data, "i_jobs")["values"]["baseline"]
    total = spread(ds["jobs"].sel(scenario="baseline").sum("province"))["median"].values
    np.testing.assert_allclose(jobs["_all"][1], total, atol=0.1)
    occ = _series(data, "i_occupancy")["values"]["baseline"]["_all"][1]
    b = ds.sel(scenario="baseline")
    region = (b["cluster_occupied_ha"].sum("cluster") / b["cluster_serviced_ha"].sum("cluster"))
    np.testing.assert_allclose(occ, spread(region * 100)["median"].values, atol=0.01)
    commute = _series(data, "i_commute")["values"]["baseline"]["_all"][1]
    np.testing.assert_allclose(commute, spread(plots.commute_indicators(b)[0])["median"].values,
                               atol=0.01)
    relocated = _series(data, "i_relocated")["values"]["baseline"]["_all"][1]
    assert relocated == sorted(relocated), "cumulative relocations never decrease"


def test_indicators_skip_absent_variables_and_take_new_forest_names(sweep):
    ds = as_sweep(sweep).drop_vars(["buffer_pool_tco2e", "additional_stock_tco2e"],
                                   errors="ignore")
    names = [s.key for s in explore.series_list(ds)]
    assert "i_buffer" not in names and "i_additional" not in names
    assert {"i_occupancy", "i_relocated", "i_jobs", "i_commute", "i_stock", "i_net",
            "i_credits", "i_carbon_pay", "i_pfes", "i_rent"} <= set(names)
    extended = ds.assign(
        buffer_pool_tco2e=ds["carbon_credits_tco2e"].fillna(0).cumsum("year") * 0.2,
        additional_stock_tco2e=ds["carbon_credits_tco2e"].fillna(0).cumsum("year"))
    payload = {s["id"]: s for s in explore.series_payload(extended)}
    assert {"i_buffer", "i_additional"} <= set(payload)
    buffer = payload["i_buffer"]["values"]["baseline"]["Phú Thọ"][1]
    expected = spread(extended["buffer_pool_tco2e"].sel(scenario="baseline", province="Phú Thọ")
                      * 1e-3)["median"].values
    np.testing.assert_allclose(buffer, expected, atol=0.01)
    without = ds.drop_vars(["carbon_credits_tco2e", "pfes_payments_vnd"])
    assert {"i_credits", "i_pfes"}.isdisjoint(s.key for s in explore.series_list(without))


def test_map_holds_medians_per_scenario_and_year(sweep, data):
    ds = as_sweep(sweep)
    m = data["map"]
    years = data["meta"]["years"]
    assert len(m["clusters"]["lon"]) == ds.sizes["cluster"]
    occ = m["occupancy"]["phu_tho_programme"]
    assert len(occ) == len(years) and len(occ[0]) == ds.sizes["cluster"]
    expected = spread(ds["cluster_occupancy"].sel(scenario="phu_tho_programme",
                                                  year=years[-1]) * 100)["median"].values
    got = np.array([np.nan if v is None else v for v in occ[-1]])
    np.testing.assert_allclose(got, np.round(expected), equal_nan=True)
    car = m["travel"]["baseline"]["car"]
    assert len(car) == len(years) and len(car[0]) == ds.sizes["zone"]
    assert set(m["corridors"]["baseline"]) == {str(c) for c in ds["corridor"].values}
    assert set(m["corridor_names"]) == set(m["corridors"]["baseline"])  # legend by name
    assert len(m["links"]) == len(pd.read_csv(DEFAULT_REGION_PATH / "links.csv"))


def _km2(ring: list) -> float:
    lon, lat = np.array(ring).T
    area = 0.5 * abs(np.dot(lon, np.roll(lat, 1)) - np.dot(lat, np.roll(lon, 1)))
    return area * 111.32**2 * math.cos(math.radians(lat.mean()))


def test_province_outlines_cover_every_province_with_its_area():
    outlines = json.loads(explore.OUTLINES.read_text(encoding="utf-8"))["features"]
    provinces = pd.read_csv(DEFAULT_REGION_PATH / "provinces.csv").set_index("province")
    zones = pd.read_csv(DEFAULT_REGION_PATH / "zones.csv")
    by_name = {f["properties"]["province"]: f["geometry"] for f in outlines}
    assert set(provinces.index) <= set(by_name)
    for province, row in provinces.iterrows():
        geometry = by_name[province]
        polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                    else geometry["coordinates"])
        area = sum(_km2(p[0]) - sum(_km2(h) for h in p[1:]) for p in polygons)
        seats = (zones["province"] == province).sum()
        if seats >= 3:  # Bắc Ninh has two zone seats only: its outline is smaller (SOURCES.md)
            assert area == pytest.approx(row["area_km2"], rel=0.03), province
        else:
            assert 0.3 * row["area_km2"] < area <= 1.03 * row["area_km2"], province


def test_headline_table_is_the_reports_in_both_languages(sweep, data):
    ds = as_sweep(sweep)
    for lang in ("en", "vi"):
        table = report.headline_table(ds, lang)
        html = data["table"][lang]
        for group in table["groups"]:
            assert group["name"] in html
        assert table["groups"][0]["rows"][0]["cells"][0]["value"] in html
    assert "," in re.sub(r"<[^>]+>", "", data["table"]["vi"])


# --- The file -------------------------------------------------------------------------------

def test_file_is_self_contained_and_forbids_requests(page):
    text = page.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", text)
    assert f"plotly.js (basic - minified) v{explore.PLOTLY_VERSION}" in text
    assert text.count("</script>") == text.count("<script")
    assert page.stat().st_size < 15e6


def test_vendored_plotly_is_the_documented_bundle():
    head = explore.PLOTLY_JS.read_text(encoding="utf-8")[:200]
    assert f"v{explore.PLOTLY_VERSION}" in head
    readme = (explore.PLOTLY_JS.parent / "README.md").read_text(encoding="utf-8")
    assert explore.PLOTLY_VERSION in readme
    assert (explore.PLOTLY_JS.parent / "LICENSE-plotly.js.txt").is_file()


def test_cli_writes_a_run_folder_and_rejects_bad_input(runs, tmp_path, capsys):
    folder = write_run_folder(runs[0], tmp_path / "run")
    out = tmp_path / "elsewhere" / "page.html"
    assert explore.main([str(folder), "--lang", "vi", "--out", str(out)]) == 0
    assert out.is_file() and '<html lang="vi">' in out.read_text(encoding="utf-8")[:200]
    assert explore.main([str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err
    with pytest.raises(SystemExit) as exc:
        explore.main([str(folder), "--lang", "fr"])
    assert exc.value.code == 2


def test_open_results_is_load_results(sweep_folder):
    a, b = explore.open_results(sweep_folder), load_results(sweep_folder)
    xr.testing.assert_identical(a.ds, b.ds)


# --- In a real browser ----------------------------------------------------------------------

def _browser_available() -> bool:
    return report.find_chromium() is not None and shutil.which("chromedriver") is not None


browser = pytest.mark.skipif(not _browser_available(),
                             reason="needs chromium and chromedriver (.ci/run installs them)")


def _wait(driver, condition, timeout: float = 60):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _redrawn(driver, before: int) -> None:
    _wait(driver, lambda d: d.execute_script("return window.explorerTiming.renders") > before)


def _renders(driver) -> int:
    return driver.execute_script("return window.explorerTiming.renders")


TRACES = """return document.getElementById(arguments[0]).data.map(
    t => ({name: t.name || '', y: t.y ? Array.from(t.y) : [], colour: t.marker && t.marker.color
          ? Array.from(t.marker.color) : null}));"""


@browser
def test_page_in_headless_chromium(page, data):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url = page.resolve().as_uri()
    with explore.headless_chromium() as driver:
        driver.get(url)
        _wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute(
            "data-ready") == "1")
        text = lambda css: driver.find_element(By.CSS_SELECTOR, css).text  # noqa: E731
        assert text("h1") == explore.TEXT["title"]["en"]
        years = data["meta"]["years"]
        occ = _series(data, "i_occupancy")

        # The time series draws the checked scenarios' medians for the selected province.
        traces = driver.execute_script(TRACES, "ts")
        medians = {t["name"]: t["y"] for t in traces if t["name"] in data["meta"]["scenarios"]}
        assert set(medians) == {"baseline", "phu_tho_programme"}
        assert medians["phu_tho_programme"] == occ["values"]["phu_tho_programme"]["Phú Thọ"][1]
        legend = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#ts .legendtext")]
        assert "phu_tho_programme" in legend
        assert "Phú Thọ" in text("#ts .gtitle")

        # Unchecking a scenario removes it from the chart and the readout.
        before = _renders(driver)
        driver.find_element(By.ID, "scen-phu_tho_programme").click()
        _redrawn(driver, before)
        names = {t["name"] for t in driver.execute_script(TRACES, "ts")}
        assert "phu_tho_programme" not in names and "baseline" in names
        assert "phu_tho_programme" not in text("#readout")
        before = _renders(driver)
        driver.find_element(By.ID, "scen-phu_tho_programme").click()
        _redrawn(driver, before)

        # Another scenario on the map: the clusters' colours become that scenario's occupancy.
        def cluster_colours() -> list:
            found = [t for t in driver.execute_script(TRACES, "map")
                     if t["name"] == explore.TEXT["clusters"]["en"]]
            return found[0]["colour"]

        assert text("#map .gtitle").endswith(f"phu_tho_programme, {years[-1]}")
        first = cluster_colours()
        before = _renders(driver)
        Select(driver.find_element(By.ID, "sel-map-scenario")).select_by_value("baseline")
        _redrawn(driver, before)
        assert "baseline" in text("#map .gtitle")
        second = cluster_colours()
        expected = [v for v in data["map"]["occupancy"]["baseline"][-1] if v is not None]
        assert second == expected and second != first

        # Another province: new values, new title, the readout says the same as the data.
        before = _renders(driver)
        Select(driver.find_element(By.ID, "sel-province")).select_by_value("Thái Nguyên")
        _redrawn(driver, before)
        assert "Thái Nguyên" in text("#ts .gtitle")
        medians = {t["name"]: t["y"] for t in driver.execute_script(TRACES, "ts")}
        assert medians["baseline"] == occ["values"]["baseline"]["Thái Nguyên"][1]
        last = occ["values"]["baseline"]["Thái Nguyên"][1][-1]
        row = driver.find_element(By.CSS_SELECTOR, "#readout tbody tr").text
        assert row.startswith("baseline") and report.fmt(last, 1, "en") in row

        # The difference to the baseline: the scenario's paired Δ, no baseline line.
        before = _renders(driver)
        driver.find_element(By.ID, "chk-delta").click()
        _redrawn(driver, before)
        medians = {t["name"]: t["y"] for t in driver.execute_script(TRACES, "ts")}
        assert "baseline" not in medians
        assert medians["phu_tho_programme"] == occ["delta"]["phu_tho_programme"]["Thái Nguyên"][1]
        assert text("#ts .gtitle").startswith("Δ ")
        before = _renders(driver)
        driver.find_element(By.ID, "chk-delta").click()
        _redrawn(driver, before)

        # The language: labels, the headline table and number formats switch to Vietnamese.
        before = _renders(driver)
        driver.find_element(By.ID, "lang").click()
        _redrawn(driver, before)
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
        assert text("h1") == explore.TEXT["title"]["vi"]
        assert text("#ts .xtitle") == explore.TEXT["year"]["vi"]
        assert text("#ts .gtitle").startswith(explore.TEXT["i_occupancy"]["vi"])
        row = driver.find_element(By.CSS_SELECTOR, "#readout tbody tr").text
        assert report.fmt(last, 1, "vi") in row
        if not float(last).is_integer():
            assert "," in report.fmt(last, 1, "vi")
        assert report.tr("indicator", "vi") in text("#headline")
        options = [o.text for o in Select(driver.find_element(By.ID, "sel-indicator")).options]
        assert options[0].startswith(explore.TEXT["i_occupancy"]["vi"])

        # A layer per mode: travel times of the chosen mode and year.
        before = _renders(driver)
        Select(driver.find_element(By.ID, "sel-layer")).select_by_value("travel:car")
        _redrawn(driver, before)
        zone_traces = [t for t in driver.execute_script(TRACES, "map")
                       if t["colour"] and len(t["colour"]) == len(data["map"]["zones"]["lon"])]
        expected = [None if v is None else min(v, 240)
                    for v in data["map"]["travel"]["baseline"]["car"][-1]]
        assert zone_traces and zone_traces[0]["colour"] == expected

        console = driver.get_log("browser")
        performance = driver.get_log("performance")
    assert [e for e in console if e["level"] in ("SEVERE", "WARNING")] == []
    requests = []
    for entry in performance:
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            params = message["params"]
            if params.get("documentURL", url) == url or message["method"].startswith(
                    "Network.webSocket"):
                requests.append(params.get("request", {}).get("url", params.get("url")))
    assert requests and all(r == url or r.startswith("data:") for r in requests), requests
