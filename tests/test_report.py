"""The adviser report: headline numbers, rendering in headless Chromium, PDF, errors."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pytest
from PIL import Image

from model import report
from model.compare import load_results

from .presentation_data import small_sweep, write_run_folder, write_sweep_folder


@pytest.fixture(scope="module")
def known(runs):
    """The small sweep with known headline values in 2030 (medians and ranges computable)."""
    sweep = small_sweep(runs)
    occ = sweep["province_occupancy"]
    occ.loc[{"scenario": "baseline", "province": "Phú Thọ", "year": 2030}] = [0.50, 0.50]
    occ.loc[{"scenario": "phu_tho_programme", "province": "Phú Thọ", "year": 2030}] = [0.60,
                                                                                      0.80]
    jobs = sweep["jobs"]
    jobs.loc[{"scenario": "baseline", "province": "Thái Nguyên", "year": 2030}] = [1000, 3000]
    return sweep


@pytest.fixture(scope="module")
def sweep_folder(known, tmp_path_factory):
    return write_sweep_folder(known, tmp_path_factory.mktemp("sweep"))


@pytest.fixture(scope="module")
def html_en(sweep_folder):
    return report.render(load_results(sweep_folder), "en")


@pytest.fixture(scope="module")
def html_vi(sweep_folder):
    return report.render(load_results(sweep_folder), "vi")


def run_report(*args, env=None):
    return subprocess.run([sys.executable, "-m", "model.report", *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def rows_of(html: str, group: str) -> str:
    """The HTML of one indicator group of the headline table."""
    start = html.index(group)
    return html[start:html.index("</tbody>", start)]


def test_headline_table_numbers_english(html_en):
    html = html_en
    group = rows_of(html, "Phú Thọ: cluster occupancy (%; Δ in pp)")
    # Seeds 0.60 and 0.80: median 70.0, 5th percentile 61.0, 95th 79.0 (linear).
    assert "70.0 (61.0–79.0)" in group
    assert "50.0 (all seeds agree)" in group  # both seeds 0.50: a degenerate range
    assert "Δ vs baseline: +20.0 (+11.0 to +29.0)" in group
    jobs = rows_of(html, "Thái Nguyên: jobs in modelled firms (jobs)")
    assert "2,000 (1,100–2,900)" in jobs
    assert "<th>2030</th>" in html and "<th>2032</th>" in html  # milestones within the horizon


def test_headline_table_numbers_vietnamese(html_vi):
    html = html_vi
    group = rows_of(html, "Phú Thọ: tỷ lệ lấp đầy khu, cụm công nghiệp (%; Δ tính bằng điểm %)")
    assert "70,0 (61,0–79,0)" in group
    assert "Δ so với cơ sở: +20,0 (+11,0 đến +29,0)" in group
    assert "2.000 (1.100–2.900)" in rows_of(html, "Thái Nguyên: việc làm")
    assert "Kết quả chính" in html and 'lang="vi"' in html
    assert "Phần mô tả kịch bản được giữ nguyên bằng tiếng Anh" in html


def test_readings_come_from_the_numbers(html_en, known):
    html = html_en
    value = known["province_occupancy"].sel(scenario="phu_tho_programme", province="Phú Thọ",
                                            year=2032).median("seed") * 100
    base = known["province_occupancy"].sel(scenario="baseline", province="Phú Thọ",
                                           year=2032).median("seed") * 100
    assert (f"Under phu_tho_programme, Phú Thọ&#39;s clusters are {float(value):.0f} % let in "
            f"2032") in html
    assert f"against {float(base):.0f} % in the baseline" in html


def test_report_is_self_contained_and_lists_provenance(html_en):
    html = html_en
    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(images) == 6 and all(src.startswith("data:image/png;base64,") for src in images)
    assert "http://" not in html and "https://" not in html
    assert "transport.motorbike_max_speed_kmh" in html  # an assumed parameter
    assert "nq202_2025" in html  # a data source key
    assert "Phú Thọ Action Programme No. 28-CTr/TU" in html  # a scenario comment block


@pytest.fixture(scope="module")
def cli_outputs(sweep_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = run_report(sweep_folder, "--lang", "vi", "--out", out)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_pdf_is_written_and_has_pages(cli_outputs):
    out, proc = cli_outputs
    pdf = (out / "report_vi.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))
    assert pages >= 3
    assert "report_vi.pdf" in proc.stdout


def test_html_renders_in_chromium_and_is_not_blank(cli_outputs, tmp_path):
    out, _ = cli_outputs
    html = out / "report_vi.html"
    png = report.screenshot(html, tmp_path / "shot.png", width=1000, height=1400)
    pixels = np.asarray(Image.open(png).convert("L"), dtype=float)
    assert pixels.std() > 20, "the screenshot is blank"
    # The DOM Chromium built holds the table and Vietnamese text: the page parsed and rendered.
    profile = tempfile.mkdtemp()
    try:
        dom = subprocess.run([report.find_chromium(), *report.CHROMIUM_FLAGS,
                              f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
                             capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert dom.returncode == 0
    assert "1. Kết quả chính" in dom.stdout and "table" in dom.stdout


def test_single_run_report(runs, tmp_path):
    folder = write_run_folder(runs[0], tmp_path / "run")
    proc = run_report(folder, "--lang", "en", "--no-pdf")
    assert proc.returncode == 0, proc.stderr
    html = (folder / "report_en.html").read_text(encoding="utf-8")
    assert "single seed" in html
    assert "resolved configuration" in html.lower()
    assert not (folder / "report_en.pdf").exists()


def test_without_chromium_the_html_is_written_with_a_warning(sweep_folder, tmp_path):
    proc = run_report(sweep_folder, "--out", tmp_path,
                      env={"HNCR_CHROMIUM": str(tmp_path / "no-such-chromium")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("warning: no Chromium found")
    assert "apt-get install chromium" in proc.stderr
    assert (tmp_path / "report_en.html").is_file()
    assert not (tmp_path / "report_en.pdf").exists()


@pytest.mark.parametrize("make", ["missing", "empty", "not_results"])
def test_bad_folder_is_exit_2_with_a_message(make, tmp_path):
    folder = tmp_path / "f"
    if make != "missing":
        folder.mkdir()
    if make == "not_results":
        (folder / "results.nc").write_text("not netcdf")
    proc = run_report(folder)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("value", "lang", "sign", "text"), [
    (1234.5, "en", False, "1,234.5"), (1234.5, "vi", False, "1.234,5"),
    (-3.25, "en", True, "−3.2"), (0.0, "vi", True, "±0,0"), (float("nan"), "en", False, "–"),
])
def test_number_format(value, lang, sign, text):
    assert report.fmt(value, 1, lang, sign) == text


def test_every_text_has_both_languages():
    for key, texts in report.TEXT.items():
        assert set(texts) == {"en", "vi"}, key
