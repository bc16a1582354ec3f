"""The adviser report: one self-contained HTML page (and its PDF) for a run or a sweep.

Command line::

    python -m model.report FOLDER [--lang vi|en] [--out DIR] [--no-pdf]

``FOLDER`` is a run folder (``results.nc``) or a sweep folder (``sweep.nc``). The report is written
to ``DIR`` (default: ``FOLDER``) as ``report_<lang>.html``, every figure embedded as a base64 PNG,
and printed to ``report_<lang>.pdf`` by headless Chromium (``--print-to-pdf``).

Exit status: 0 when the report is written. When no Chromium is installed the HTML is still
written, a line starting ``warning:`` says how to get the PDF, and the status is still 0 (the HTML
is the report; the PDF is a print of it). 1 when Chromium is there but fails to print (the HTML is
written). 2 when the folder holds no results (or jinja2 is not installed), with a one-paragraph
message and no traceback.

Contents: title, dates, model version and git commit; the headline table (milestone years 2030,
2035, 2045 within the horizon, medians with 5–95 % ranges across seeds, and each scenario against
the baseline, seed by seed); the six figures of :mod:`model.plots` each with a reading generated
from the numbers; the scenario definitions (the comment blocks of ``scenarios/*.yaml``); the
parameters whose source is ``assumed`` with their plausible ranges; the data sources of the region
with their confidence (``SOURCES.md``); the resolved configuration (collapsible).

All fixed text is in :data:`TEXT` (English and Vietnamese); the scenario comment blocks, parameter
sources and data-source titles stay in English (the Vietnamese report says so).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
import yaml

from . import plots
from .compare import (
    BASELINE,
    FOCUS_PROVINCES,
    Results,
    baseline_of,
    last_year,
    load_results,
    milestones,
    paired_difference,
    scenario_order,
    spread,
)
from .discover import report_section
from .errors import UserError
from .outputs import write_text
from .paths import PACKAGE_DIR, scenarios_dir
from .region import DEFAULT_REGION_PATH

TEMPLATE = "report.html.j2"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--no-default-browser-check", "--hide-scrollbars")

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Hà Nội Capital Region: scenario results",
              "vi": "Vùng Thủ đô Hà Nội: kết quả các kịch bản"},
    "subtitle_sweep": {"en": "{n_scen} scenario(s) × {n_seed} seed(s), {y0}–{y1}, agent scale "
                             "{scale}",
                       "vi": "{n_scen} kịch bản × {n_seed} lần chạy (seed), {y0}–{y1}, tỷ lệ tác "
                             "tử {scale}"},
    "report_date": {"en": "Report date", "vi": "Ngày lập báo cáo"},
    "run_date": {"en": "Results computed (UTC)", "vi": "Thời điểm tính kết quả (UTC)"},
    "model_version": {"en": "Model version", "vi": "Phiên bản mô hình"},
    "git_commit": {"en": "Git commit", "vi": "Mã commit Git"},
    "region_data": {"en": "Region data (SHA-256)", "vi": "Dữ liệu vùng (SHA-256)"},
    "source_folder": {"en": "Results folder", "vi": "Thư mục kết quả"},
    "how_to_read": {
        "en": "Each value is the median across the seeds (repeated runs with different random "
              "draws) and, in brackets, the range from the 5th to the 95th percentile. With few "
              "seeds this range is narrow by construction: read it as a lower bound of the "
              "uncertainty. Parameters marked assumed (section 4) add uncertainty that seeds do "
              "not show. Differences against the baseline are computed seed by seed.",
        "vi": "Mỗi giá trị là trung vị của các lần chạy (seed, mỗi lần một bộ số ngẫu nhiên "
              "khác) và, trong ngoặc, khoảng từ phân vị 5 đến phân vị 95. Khi số lần chạy ít, "
              "khoảng này hẹp một cách tất yếu: hãy coi đó là cận dưới của độ bất định. Các tham "
              "số giả định (mục 4) còn làm tăng độ bất định mà các seed không thể hiện. Chênh "
              "lệch so với kịch bản cơ sở được tính theo từng seed."},
    "one_seed": {"en": "These results come from a single seed: no range across seeds can be "
                       "shown. Run a sweep over seeds (python -m model -m seed=0,1,2,...) for "
                       "ranges.",
                 "vi": "Kết quả này chỉ từ một lần chạy (một seed): không thể hiện được khoảng "
                       "dao động. Hãy chạy nhiều seed (python -m model -m seed=0,1,2,...) để có "
                       "khoảng."},
    "headline": {"en": "1. Headline results", "vi": "1. Kết quả chính"},
    "indicator": {"en": "Indicator", "vi": "Chỉ tiêu"},
    "scenario": {"en": "Scenario", "vi": "Kịch bản"},
    "vs_baseline": {"en": "vs baseline", "vi": "so với cơ sở"},
    "table_note": {"en": "Δ: the scenario minus the baseline, seed by seed (median and 5–95 % "
                         "range of the differences).",
                   "vi": "Δ: kịch bản trừ kịch bản cơ sở, theo từng seed (trung vị và khoảng "
                         "5–95 % của chênh lệch)."},
    "no_baseline": {"en": "The results have no baseline scenario: values are shown without "
                          "comparison.",
                    "vi": "Kết quả không có kịch bản cơ sở: các giá trị được trình bày không "
                          "so sánh."},
    "figures": {"en": "2. Figures", "vi": "2. Biểu đồ"},
    "scenarios": {"en": "3. Scenario definitions", "vi": "3. Định nghĩa các kịch bản"},
    "scenarios_note": {"en": "", "vi": "Phần mô tả kịch bản được giữ nguyên bằng tiếng Anh, "
                                       "trích từ các tệp scenarios/*.yaml."},
    "scenario_missing": {"en": "(no scenario file of this name in this installation)",
                         "vi": "(không có tệp kịch bản tên này trong bản cài đặt)"},
    "swept": {"en": "Swept settings folded into this label", "vi": "Các tham số quét được ghép "
                                                                   "vào tên này"},
    "assumptions": {"en": "4. Main assumptions", "vi": "4. Các giả định chính"},
    "assumptions_intro": {
        "en": "{n} of the model's {total} parameters have no published source for their value "
              "(their source says assumed). Each has a plausible range; the sensitivity analysis "
              "(python -m model.sweep sensitivity) varies them within it. Values are those of "
              "the {which} run.",
        "vi": "{n} trong số {total} tham số của mô hình chưa có nguồn công bố cho giá trị "
              "(nguồn ghi là assumed – giả định). Mỗi tham số có một khoảng hợp lý; phân tích "
              "độ nhạy (python -m model.sweep sensitivity) cho chúng thay đổi trong khoảng đó. "
              "Giá trị là của lần chạy {which}."},
    "parameter": {"en": "Parameter", "vi": "Tham số"},
    "value": {"en": "Value", "vi": "Giá trị"},
    "units": {"en": "Units", "vi": "Đơn vị"},
    "range": {"en": "Plausible range", "vi": "Khoảng hợp lý"},
    "source": {"en": "Source note", "vi": "Ghi chú nguồn"},
    "english_note": {"en": "", "vi": "Ghi chú nguồn và tên nguồn dữ liệu giữ nguyên tiếng Anh."},
    "provenance": {"en": "5. Data sources and their confidence",
                   "vi": "5. Nguồn dữ liệu và độ tin cậy"},
    "provenance_intro": {
        "en": "The region data ({path}) cites these sources (model/data/SOURCES.md has the "
              "details). Confidence: H read in a primary source or several consistent ones; M one "
              "credible secondary source or a reliable recollection of published figures; L an "
              "estimate. Rows marked assumed or synthetic are estimates within stated ranges.",
        "vi": "Dữ liệu vùng ({path}) dẫn các nguồn sau (chi tiết trong model/data/SOURCES.md). "
              "Độ tin cậy: H – đọc từ nguồn gốc hoặc nhiều nguồn nhất quán; M – một nguồn thứ "
              "cấp đáng tin cậy hoặc số liệu công bố được nhớ lại chính xác; L – ước tính. Các "
              "dòng ghi assumed (giả định) hoặc synthetic (tổng hợp) là ước tính trong khoảng đã "
              "nêu."},
    "key": {"en": "Key", "vi": "Mã"},
    "description": {"en": "Source", "vi": "Nguồn"},
    "confidence": {"en": "Confidence", "vi": "Độ tin cậy"},
    "no_sources": {"en": "The region folder has no SOURCES.md.",
                   "vi": "Thư mục dữ liệu vùng không có tệp SOURCES.md."},
    "config": {"en": "6. Model version and configuration",
               "vi": "6. Phiên bản và cấu hình mô hình"},
    "config_show": {"en": "Resolved configuration of the {which} run (YAML)",
                    "vi": "Cấu hình đầy đủ của lần chạy {which} (YAML)"},
    "config_missing": {"en": "The configuration is not stored with these results.",
                       "vi": "Cấu hình không được lưu cùng kết quả này."},
    "footer": {"en": "Generated by python -m model.report from {folder}.",
               "vi": "Tạo bởi python -m model.report từ {folder}."},
    # Headline indicators.
    "occ": {"en": "{p}: cluster occupancy", "vi": "{p}: tỷ lệ lấp đầy khu, cụm công nghiệp"},
    "reloc": {"en": "Firms relocated since {y0}, all destinations",
              "vi": "Doanh nghiệp di dời từ {y0}, mọi tỉnh đến"},
    "jobs": {"en": "{p}: jobs in modelled firms", "vi": "{p}: việc làm trong doanh nghiệp được mô "
                                                       "hình hóa"},
    "kept": {"en": "Workers of relocated firms who kept their job (commute or moved home)",
             "vi": "Lao động của doanh nghiệp di dời giữ việc làm (đi làm xa hoặc chuyển nơi ở)"},
    "quit": {"en": "Workers of relocated firms who quit (cumulative)",
             "vi": "Lao động của doanh nghiệp di dời nghỉ việc (lũy kế)"},
    "commute": {"en": "Mean one-way peak commute, all jobs held",
                "vi": "Thời gian đi làm một chiều bình quân (cao điểm)"},
    "stock": {"en": "{p}: forest carbon stock", "vi": "{p}: trữ lượng các-bon rừng"},
    "net": {"en": "{p}: net forest absorption in the year",
            "vi": "{p}: hấp thụ ròng của rừng trong năm"},
    "rent": {"en": "Land rent forgone, cumulative since {y0}",
             "vi": "Tiền thuê đất được miễn, lũy kế từ {y0}"},
    "payments": {"en": "Carbon and PFES payments, cumulative since {y0}",
                 "vi": "Chi trả các-bon và dịch vụ môi trường rừng, lũy kế từ {y0}"},
    "to": {"en": "to", "vi": "đến"},
    "diff_unit": {"en": "Δ in {u}", "vi": "Δ tính bằng {u}"},
    "u_pct": {"en": "%", "vi": "%"},
    "u_pp": {"en": "pp", "vi": "điểm %"},
    "u_firms": {"en": "firms", "vi": "doanh nghiệp"},
    "u_jobs": {"en": "jobs", "vi": "việc làm"},
    "u_workers": {"en": "workers", "vi": "lao động"},
    "u_min": {"en": "min", "vi": "phút"},
    "u_mt": {"en": "MtCO2e", "vi": "triệu tCO2e"},
    "u_kt": {"en": "ktCO2e/yr", "vi": "nghìn tCO2e/năm"},
    "u_bn": {"en": "bn VND", "vi": "tỷ đồng"},
    # Figure captions and readings.
    "cap_occupancy": {"en": "Occupancy of industrial clusters and parks by province",
                      "vi": "Tỷ lệ lấp đầy khu, cụm công nghiệp theo tỉnh"},
    "cap_relocation": {"en": "Firms relocated from Hà Nội and jobs by destination",
                       "vi": "Doanh nghiệp di dời khỏi Hà Nội và việc làm theo tỉnh đến"},
    "cap_forest": {"en": "Forest carbon", "vi": "Các-bon rừng"},
    "cap_commuting": {"en": "Commuting", "vi": "Đi làm"},
    "cap_map": {"en": "Map of clusters and corridors", "vi": "Bản đồ khu, cụm công nghiệp và hành "
                                                             "lang giao thông"},
    "cap_cost": {"en": "Policy cost and what it bought", "vi": "Chi phí chính sách và kết quả"},
    "r_occ_base": {"en": "In the baseline, {p}'s clusters are {v} let in {y}{r}.",
                   "vi": "Trong kịch bản cơ sở, khu, cụm công nghiệp của {p} được lấp đầy {v} vào "
                         "năm {y}{r}."},
    "r_occ": {"en": "Under {s}, {p}'s clusters are {v} let in {y}{r}, against {b} in the "
                    "baseline.",
              "vi": "Theo kịch bản {s}, khu, cụm công nghiệp của {p} được lấp đầy {v} vào năm "
                    "{y}{r}, so với {b} ở kịch bản cơ sở."},
    "r_occ_alone": {"en": "Under {s}, {p}'s clusters are {v} let in {y}{r}.",
                    "vi": "Theo kịch bản {s}, khu, cụm công nghiệp của {p} được lấp đầy {v} vào "
                          "năm {y}{r}."},
    "r_reloc": {"en": "{u}, {n} firms relocate by {y}{r} (moves into Hà Nội's own clusters "
                      "included); {pt} of them into Phú Thọ and {tn} into Thái Nguyên. Phú Thọ "
                      "then has {jpt} jobs in modelled firms and Thái Nguyên {jtn}.",
                "vi": "{u}, đến năm {y} có {n} doanh nghiệp di dời{r} (kể cả di "
                      "dời vào khu, cụm của chính Hà Nội); trong đó {pt} vào Phú Thọ và {tn} vào "
                      "Thái Nguyên. Khi đó Phú Thọ có {jpt} việc làm trong các doanh nghiệp được "
                      "mô hình hóa, Thái Nguyên có {jtn}."},
    "r_forest": {"en": "{u}, {p}'s forests absorb a net {v} ktCO2e in {y}{r} and hold "
                       "{stock} MtCO2e.",
                 "vi": "{u}, rừng của {p} hấp thụ ròng {v} nghìn tCO2e trong năm "
                       "{y}{r} và có trữ lượng {stock} triệu tCO2e."},
    "r_commute": {"en": "{u}, the mean one-way peak commute is {v} min in {y}{r}; {o} of "
                        "workers commute more than 60 min one way, and {m} of the relocated "
                        "firms' commuters go mainly by motorbike.",
                  "vi": "{u}, thời gian đi làm một chiều bình quân giờ cao điểm là "
                        "{v} phút vào năm {y}{r}; {o} lao động đi làm trên 60 phút một chiều, và "
                        "{m} lao động đi làm của doanh nghiệp di dời đi chủ yếu bằng xe máy."},
    "r_map": {"en": "{u}, {k} corridor(s) are completed in {y0}–{y1}: {list}.",
              "vi": "{u}, {k} hành lang hoàn thành trong giai đoạn {y0}–{y1}: "
                    "{list}."},
    "r_map_none": {"en": "{u}, no corridor is completed in {y0}–{y1}.",
                   "vi": "{u}, không có hành lang nào hoàn thành trong giai đoạn "
                         "{y0}–{y1}."},
    "r_map_size": {"en": "Circles are clusters, sized by land let in {y} and coloured by "
                         "occupancy (medians across seeds).",
                   "vi": "Mỗi vòng tròn là một khu, cụm công nghiệp: kích thước theo diện tích "
                         "đã cho thuê năm {y}, màu theo tỷ lệ lấp đầy (trung vị các seed)."},
    "r_cost": {"en": "Under {s}, the policies cost {c} bn VND more than the baseline over "
                     "{y0}–{y1}{r}: {rent} bn VND more land rent forgone and {pay} bn VND more "
                     "carbon and PFES payments (medians of each part, which need not add up to "
                     "the median total). They bought {ha} ha more land let in clusters in {y1} "
                     "and {co2} ktCO2e more net forest absorption over the period.",
               "vi": "Theo kịch bản {s}, chi phí chính sách cao hơn kịch bản cơ sở {c} tỷ đồng "
                     "trong giai đoạn {y0}–{y1}{r}: tiền thuê đất được miễn nhiều hơn {rent} tỷ "
                     "đồng, chi trả các-bon và dịch vụ môi trường rừng nhiều hơn {pay} tỷ đồng "
                     "(trung vị của từng phần, tổng các phần không nhất thiết bằng trung vị của "
                     "tổng). Đổi lại có thêm {ha} ha đất được cho thuê trong khu, cụm năm {y1} và "
                     "thêm {co2} nghìn tCO2e hấp thụ ròng của rừng trong giai đoạn."},
    "r_rent_per_ha": {"en": " Extra rent forgone per extra hectare let: {v} million VND/ha.",
                      "vi": " Tiền thuê đất được miễn tăng thêm trên mỗi ha cho thuê tăng thêm: "
                            "{v} triệu đồng/ha."},
    "r_vnd_per_t": {"en": " Extra carbon and PFES payments per extra tCO2e absorbed: {v} "
                          "thousand VND/tCO2e.",
                    "vi": " Chi trả các-bon và dịch vụ môi trường rừng tăng thêm trên mỗi tCO2e "
                          "hấp thụ tăng thêm: {v} nghìn đồng/tCO2e."},
    "under": {"en": "Under {s}", "vi": "Theo kịch bản {s}"},
    "under_base": {"en": "In the baseline", "vi": "Trong kịch bản cơ sở"},
    "r_cost_abs": {"en": "{u}, land rent forgone totals {rent} bn VND and carbon and PFES "
                         "payments {pay} bn VND over {y0}–{y1}{r}; {ha} ha are let in clusters in "
                         "{y1}.",
                   "vi": "{u}, tổng tiền thuê đất được miễn là {rent} tỷ đồng và chi "
                         "trả các-bon, dịch vụ môi trường rừng là {pay} tỷ đồng trong giai đoạn "
                         "{y0}–{y1}{r}; có {ha} ha đất được cho thuê trong khu, cụm năm {y1}."},
    "range_in": {"en": " ({lo}–{hi})", "vi": " ({lo}–{hi})"},
    "one_seed_tag": {"en": "(1 seed)", "vi": "(1 lần chạy)"},
    "agree": {"en": "(all seeds agree)", "vi": "(mọi lần chạy như nhau)"},
    "none": {"en": "none", "vi": "không có"},
    "few_agents": {"en": "⚠ rests on {n} agents", "vi": "⚠ chỉ dựa trên {n} tác tử"},
    "few_agents_note": {
        "en": "⚠ marks a value resting on fewer than {k} simulated firms (agents) in that "
              "province and year at agent scale {scale}: a few agents more or less move it "
              "strongly. Read it as an order of magnitude, or run at a larger agent scale.",
        "vi": "⚠ đánh dấu giá trị dựa trên ít hơn {k} doanh nghiệp mô phỏng (tác tử) tại tỉnh "
              "và năm đó, với tỷ lệ tác tử {scale}: chỉ cần thêm hoặc bớt vài tác tử là giá trị "
              "thay đổi mạnh. Hãy coi đó là bậc độ lớn, hoặc chạy với tỷ lệ tác tử lớn hơn."},
    "embedded_region": {"en": "the embedded default region", "vi": "vùng mặc định đi kèm mô hình"},
    "warn_no_chromium": {
        "en": "warning: no Chromium found (looked for {names}): wrote {html} only. For the PDF "
              "install Chromium (Debian/Ubuntu: apt-get install chromium) and run this command "
              "again, or open the HTML in a browser and print it to PDF.",
        "vi": "cảnh báo: không tìm thấy Chromium (đã tìm {names}): chỉ ghi {html}. Để có PDF, "
              "cài Chromium (Debian/Ubuntu: apt-get install chromium) rồi chạy lại lệnh, hoặc mở "
              "tệp HTML bằng trình duyệt và in ra PDF."},
}
"""Every fixed text of the report, in English and Vietnamese."""


def tr(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang``, with ``{placeholders}`` filled."""
    return TEXT[key][lang].format(**values)


def fmt(value: float, decimals: int, lang: str, sign: bool = False) -> str:
    """A number with thousands separators (``1,234.5`` in English, ``1.234,5`` in Vietnamese)."""
    if value is None or not np.isfinite(value):
        return "–"
    decimals = max(decimals, 0)
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    if text.lstrip("+-").strip("0.,") == "":
        text = text.lstrip("+-") if not sign else "±" + text.lstrip("+-")
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text.replace("-", "−")


SIGNIFICANT = 3
"""Significant figures of large values in tables and readings (39,142 → 39,100)."""


def rounding(reference: float, decimals: int) -> int:
    """Decimals to round a value and its range to: ``decimals``, fewer for large values.

    Values of 1,000 and more keep :data:`SIGNIFICANT` significant figures (a negative number of
    decimals: 39,142 → 39,100); the range is rounded the same way as its median.
    """
    if reference is None or not np.isfinite(reference) or reference == 0:
        return decimals
    digits = int(np.floor(np.log10(abs(reference)))) + 1
    return min(decimals, SIGNIFICANT - digits) if digits > SIGNIFICANT else decimals


def fmt_value(value: object, lang: str) -> str:
    """A setting's value in the reader's language.

    Numbers with the language's separators (never ``3e+07``; tiny ones as ``1,5 × 10⁻³``),
    mappings as ``key: value`` lists, an empty mapping as "none".
    """
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        v = float(value)
        if v != 0 and abs(v) < 0.01:
            mantissa, exponent = f"{v:.2e}".split("e")
            power = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
            return f"{fmt(float(mantissa), 2, lang)} × 10{power}"
        decimals = 0 if v.is_integer() else min(3, max(0, 3 - int(np.floor(np.log10(abs(v))))))
        text = fmt(v, decimals, lang)
        return text.rstrip("0").rstrip(",." if lang == "en" else ",") if decimals else text
    if isinstance(value, dict):
        if not value:
            return tr("none", lang)
        return "; ".join(f"{k}: {fmt_value(v, lang)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_value(v, lang) for v in value) or tr("none", lang)
    return str(value)


@dataclass(frozen=True)
class Indicator:
    """One row group of the headline table."""

    key: str
    unit: str
    compute: Callable[[xr.Dataset], xr.DataArray]
    """(scenario, seed, year) array in the display unit."""
    decimals: int = 0
    province: str = ""
    diff_unit: str = ""
    agents: Callable[[xr.Dataset], xr.DataArray] | None = None
    """(scenario, seed, year) real count of the firms simulated as agents behind the value."""


FEW_AGENTS = 30
"""Below this many firm agents behind a value, the table marks it (:data:`TEXT` few_agents)."""


def _firms_in(p: str) -> Callable[[xr.Dataset], xr.DataArray]:
    return lambda d: d["firms"].sum("sector").sel(province=p, drop=True)


def _relocated(d: xr.Dataset) -> xr.DataArray:
    return d["firms_relocated"].cumsum("year").sum("province")


def _province(ds: xr.Dataset, name: str, p: str) -> xr.DataArray:
    return ds[name].sel(province=p, drop=True)


def indicators(ds: xr.Dataset) -> list[Indicator]:
    """The headline indicators the dataset can give (provinces it lacks are skipped)."""
    provinces = {str(p) for p in ds["province"].values}
    focus = [p for p in FOCUS_PROVINCES if p in provinces]
    out = [Indicator("occ", "u_pct", lambda d, p=p: _province(d, "province_occupancy", p) * 100,
                     1, p, "u_pp", _firms_in(p)) for p in focus]
    out.append(Indicator("reloc", "u_firms", _relocated, agents=_relocated))
    out += [Indicator("jobs", "u_jobs", lambda d, p=p: _province(d, "jobs", p), 0, p,
                      agents=_firms_in(p)) for p in focus]
    out.append(Indicator("kept", "u_workers", lambda d: d["workers_commuting"].sum("mode")
                         + d["workers_moved_home"], agents=_relocated))
    out.append(Indicator("quit", "u_workers", lambda d: d["workers_quit"], agents=_relocated))
    out.append(Indicator("commute", "u_min",
                         lambda d: plots.commute_indicators(d)[0], 1))
    out += [Indicator("stock", "u_mt", lambda d, p=p: d["forest_carbon_stock_tco2e"].sel(
        province=p, drop=True).sum("forest_type") * 1e-6, 2, p) for p in focus]
    out += [Indicator("net", "u_kt", lambda d, p=p: _province(
        d, "forest_net_absorption_tco2e", p) * 1e-3, 0, p) for p in focus]
    out.append(Indicator("rent", "u_bn",
                         lambda d: d["rent_forgone_vnd"].sum("province").cumsum("year") * 1e-9,
                         agents=_relocated))
    out.append(Indicator("payments", "u_bn", lambda d: (
        d["carbon_payments_vnd"] + d["pfes_payments_vnd"]).sum("province").cumsum("year") * 1e-9))
    return out


def cell(s: xr.Dataset, decimals: int, lang: str, sign: bool = False) -> str:
    """``median (p05–p95)``, the range rounded like the median.

    One seed gives ``value (1 seed)``; a range that rounds to the median on both ends gives
    ``value (all seeds agree)``. Differences (``sign=True``) read ``+5.3 (+2.7 to +5.9)``: a
    range between signed numbers.
    """
    median = float(s["median"])
    places = rounding(median, decimals)

    def one(v: float) -> str:
        return fmt(round(v, places) if np.isfinite(v) else v, places, lang, sign)

    text = one(median)
    if int(s["n"]) <= 1:
        return f"{text} {tr('one_seed_tag', lang)}" if int(s["n"]) == 1 else text
    lo, hi = one(float(s["p05"])), one(float(s["p95"]))
    if lo == hi == text:
        return f"{text} {tr('agree', lang)}"
    joiner = f" {tr('to', lang)} " if sign else "–"
    return f"{text} ({lo}{joiner}{hi})"


def headline_table(ds: xr.Dataset, lang: str, agent_scale: float | None = None) -> dict:
    """Rows of the headline table: each indicator, each scenario, each milestone year.

    With ``agent_scale`` given, a value resting on fewer than :data:`FEW_AGENTS` firm agents
    (median across seeds) carries a caution with their number.
    """
    years = milestones(ds)
    cautions = False
    y0 = int(ds["year"].values[0])
    labels = [str(s) for s in ds["scenario"].values]
    groups = []
    for ind in indicators(ds):
        try:
            da = ind.compute(ds)
        except KeyError:
            continue
        unit = tr(ind.unit, lang)
        agents = None
        if ind.agents is not None and agent_scale:
            try:
                agents = ind.agents(ds) * agent_scale
            except KeyError:
                agents = None
        rows = []
        for s in scenario_order(ds):
            cells = []
            for y in years:
                value = cell(spread(da.sel(scenario=s, year=y)), ind.decimals, lang)
                base = baseline_of(s, labels)
                diff = ""
                if base is not None:
                    d = spread(paired_difference(da, s, base).sel(year=y))
                    diff = cell(d, ind.decimals, lang, sign=True)
                caution = ""
                if agents is not None:
                    n = float(spread(agents.sel(scenario=s, year=y))["median"])
                    if np.isfinite(n) and n < FEW_AGENTS:
                        shown = fmt(n, 0, lang) if n >= 1 or n == 0 else "< 1"
                        caution = tr("few_agents", lang, n=shown)
                        cautions = True
                cells.append({"value": value, "diff": diff, "caution": caution})
            rows.append({"scenario": s, "cells": cells})
        groups.append({"name": tr(ind.key, lang, p=ind.province, y0=y0), "unit": unit,
                       "diff_unit": tr(ind.diff_unit or ind.unit, lang), "rows": rows})
    return {"years": years, "groups": groups, "cautions": cautions}


def _rng(s: xr.Dataset, decimals: int, lang: str, unit: str = "") -> str:
    """`` (lo–hi unit)`` across seeds, rounded like the median.

    `` (1 seed)`` with one seed and `` (all seeds agree)`` when the range rounds to the median.
    """
    if int(s["n"]) < 1:
        return ""
    if int(s["n"]) == 1:
        return " " + tr("one_seed_tag", lang)
    places = rounding(float(s["median"]), decimals)
    lo, hi, med = (fmt(round(float(s[k]), places), places, lang) for k in ("p05", "p95",
                                                                           "median"))
    if lo == hi == med:
        return " " + tr("agree", lang)
    sep = " " if unit else ""
    return tr("range_in", lang, lo=lo, hi=hi + sep + unit)


def _med(s: xr.Dataset, decimals: int, lang: str) -> str:
    median = float(s["median"])
    places = rounding(median, decimals)
    return fmt(round(median, places) if np.isfinite(median) else median, places, lang)


def readings(ds: xr.Dataset, lang: str) -> dict[str, list[str]]:
    """Plain-language readings of each figure, from the numbers of the last year."""
    y0, y1 = int(ds["year"].values[0]), last_year(ds)
    scenarios = scenario_order(ds)
    labels = [str(s) for s in ds["scenario"].values]
    provinces = [p for p in FOCUS_PROVINCES if p in {str(x) for x in ds["province"].values}]
    out: dict[str, list[str]] = {k: [] for k in plots.FIGURES}

    def under(s: str) -> str:
        return tr("under_base" if s == BASELINE else "under", lang, s=s)

    occ = ds["province_occupancy"].sel(year=y1) * 100
    for p in provinces:
        for s in scenarios:
            sp = spread(occ.sel(scenario=s, province=p))
            v, r = _med(sp, 0, lang) + " %", _rng(sp, 0, lang, "%")
            base = baseline_of(s, labels)
            if s.split("|")[0] == BASELINE:
                out["occupancy"].append(tr("r_occ_base", lang, p=p, v=v, y=y1, r=r))
            elif base is not None:
                b = _med(spread(occ.sel(scenario=base, province=p)), 0, lang) + " %"
                out["occupancy"].append(tr("r_occ", lang, s=s, p=p, v=v, y=y1, r=r, b=b))
            else:
                out["occupancy"].append(tr("r_occ_alone", lang, s=s, p=p, v=v, y=y1, r=r))

    cumulative = ds["firms_relocated"].cumsum("year").sel(year=y1)
    jobs = ds["jobs"].sel(year=y1)

    def at(da: xr.DataArray, s: str, p: str) -> str:
        if p not in da["province"].values:
            return "–"
        return _med(spread(da.sel(scenario=s, province=p)), 0, lang)

    for s in scenarios:
        total = spread(cumulative.sel(scenario=s).sum("province"))
        out["relocation"].append(tr(
            "r_reloc", lang, u=under(s), n=_med(total, 0, lang), y=y1, r=_rng(total, 0, lang),
            pt=at(cumulative, s, "Phú Thọ"), tn=at(cumulative, s, "Thái Nguyên"),
            jpt=at(jobs, s, "Phú Thọ"), jtn=at(jobs, s, "Thái Nguyên")))

    net = ds["forest_net_absorption_tco2e"].sel(year=y1) * 1e-3
    stock = ds["forest_carbon_stock_tco2e"].sel(year=y1).sum("forest_type") * 1e-6
    for p in provinces:
        for s in scenarios:
            sp = spread(net.sel(scenario=s, province=p))
            out["forest"].append(tr("r_forest", lang, u=under(s), p=p, v=_med(sp, 0, lang), y=y1,
                                    r=_rng(sp, 0, lang),
                                    stock=_med(spread(stock.sel(scenario=s, province=p)), 1,
                                               lang)))

    mean_min, over60 = plots.commute_indicators(ds)
    shares = plots.mode_shares(ds, y1)
    for s in scenarios:
        sp = spread(mean_min.sel(scenario=s, year=y1))
        o = _med(spread(over60.sel(scenario=s, year=y1) * 100), 0, lang) + " %"
        m = (_med(spread(shares.sel(scenario=s, mode="motorbike") * 100), 0, lang) + " %"
             if "motorbike" in shares["mode"].values else "–")
        out["commuting"].append(tr("r_commute", lang, u=under(s), v=_med(sp, 0, lang), y=y1,
                                   r=_rng(sp, 0, lang), o=o, m=m))

    if "corridor_open_year" in ds:
        for s in scenarios:
            opened = spread(ds["corridor_open_year"].sel(scenario=s))["median"].to_series()
            done = opened[(opened > y0) & (opened <= y1)].sort_values()
            if len(done):
                names = (dict(zip(ds["corridor"].values, ds["corridor_name"].values,
                                  strict=True)) if "corridor_name" in ds.coords else {})
                listed = ", ".join(f"{names.get(k, k)} ({int(v)})" for k, v in done.items())
                out["map"].append(tr("r_map", lang, u=under(s), k=len(done), y0=y0, y1=y1,
                                     list=listed))
            else:
                out["map"].append(tr("r_map_none", lang, u=under(s), y0=y0, y1=y1))
    out["map"].append(tr("r_map_size", lang, y=y1))

    components = plots.cost_components(ds)
    outcomes = plots.cost_outcomes(ds)
    payments = sum((v for k, v in components.items() if k != "rent"),
                   xr.zeros_like(components["rent"]))
    total = components["rent"] + payments
    relative = any(baseline_of(s, labels) for s in scenarios)
    for s in scenarios:
        base = baseline_of(s, labels)
        if relative and base is None:
            continue

        def d(da: xr.DataArray, s: str = s, base: str | None = base) -> xr.Dataset:
            return spread(paired_difference(da, s, base) if base else da.sel(scenario=s))

        c, ha, co2 = d(total) / 1e9, d(outcomes["ha"]), d(outcomes["co2"])
        rent, pay = d(components["rent"]), d(payments)
        values = {"s": s, "u": under(s), "y0": y0, "y1": y1, "r": _rng(c, 0, lang),
                  "rent": _med(rent / 1e9, 0, lang), "pay": _med(pay / 1e9, 0, lang),
                  "ha": _med(ha, 0, lang)}
        if base:
            text = tr("r_cost", lang, c=_med(c, 0, lang), co2=_med(co2 / 1e3, 0, lang), **values)
            if float(ha["median"]) > 0:
                text += tr("r_rent_per_ha", lang, v=fmt(
                    float(rent["median"]) / float(ha["median"]) / 1e6, 0, lang))
            if float(co2["median"]) > 0 and float(pay["median"]) > 0:
                text += tr("r_vnd_per_t", lang, v=fmt(
                    float(pay["median"]) / float(co2["median"]) / 1e3, 0, lang))
        else:
            text = tr("r_cost_abs", lang, **values)
        out["cost"].append(text)
    return out


def scenario_blocks(ds: xr.Dataset, lang: str) -> list[dict]:
    """The comment block of each scenario file in the results (English), and swept settings."""
    out = []
    seen = set()
    for label in scenario_order(ds):
        name, *settings = label.split("|")
        if name in seen and not settings:
            continue
        seen.add(name)
        path = scenarios_dir() / f"{name}.yaml"
        text = tr("scenario_missing", lang)
        if path.is_file():
            lines = []
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.startswith("#"):
                    break
                if line.startswith("# @package"):
                    continue
                lines.append(line[2:] if line.startswith("# ") else line[1:])
            text = "\n".join(lines).strip()
        out.append({"name": name, "text": text, "settings": settings})
    return out


def _lookup(config: dict, key: str) -> object:
    node = config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def assumptions(config_yaml: str | None, lang: str = "en") -> tuple[list[dict], int]:
    """Parameters whose source is assumed, with the run's value and the plausible range."""
    from .config import RunConfig, walk_settings

    config = {}
    if config_yaml:
        try:
            config = yaml.safe_load(config_yaml) or {}
        except yaml.YAMLError:
            config = {}
    rows, total = [], 0
    for key, default, meta in walk_settings(RunConfig()):
        if "source" not in meta:
            continue
        total += 1
        source = str(meta.get("source", ""))
        if "assumed" not in source:
            continue
        value = _lookup(config, key) if config else None
        value = default if value is None else value
        rng = meta.get("range")
        rows.append({"key": key, "value": _short(fmt_value(value, lang)),
                     "units": meta.get("units", ""),
                     "range": (f"{fmt_value(rng[0], lang)} – {fmt_value(rng[1], lang)}"
                               if rng else ""),
                     "source": source})
    return rows, total


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


SOURCE_HEADING = re.compile(r"^### `([^`]+)`\s*(?:—|-)?\s*(.*?)\s*(?:\(([^()]*)\))?\s*$")
"""A source heading of SOURCES.md: ### `key` — title (confidence and a note)."""
CONFIDENCE = re.compile(r"\b([HML](?:\s*[–/-]\s*[HML])?)\b")


def sources(region_path: str | None) -> tuple[list[dict], str]:
    """The source keys of the region's SOURCES.md with their title and confidence."""
    folder = Path(region_path) if region_path and Path(region_path).is_dir() else (
        DEFAULT_REGION_PATH)
    path = folder / "SOURCES.md"
    if not path.is_file():
        return [], str(folder)
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = SOURCE_HEADING.match(line)
        if match:
            key, title, note = match.groups()
            if key in ("assumed", "synthetic"):
                continue
            found = CONFIDENCE.search(note or "")
            confidence = found.group(1).replace(" ", "") if found else ""
            if note and not found:
                title = f"{title} ({note})"
            rows.append({"key": key, "title": title.strip(" —-"), "confidence": confidence})
    return rows, str(folder)


def figure_images(ds: xr.Dataset, lang: str) -> dict[str, str]:
    """Every figure of :mod:`model.plots` as a base64 PNG."""
    return {name: base64.b64encode(plots.to_png(make(ds, lang))).decode("ascii")
            for name, make in plots.FIGURES.items()}


def render(results: Results, lang: str = "en", today: dt.date | None = None,
           exploration: list[str | Path] | None = None) -> str:
    """The report's HTML (``exploration``: experiment folders with scenario-discovery results)."""
    try:
        import jinja2
    except ImportError as exc:
        raise UserError('the report needs jinja2, which the report extra installs: '
                        'python -m pip install -e ".[report]" (from the repository root)'
                        ) from exc
    if lang not in plots.LANGS:
        raise UserError(f"--lang must be one of {', '.join(plots.LANGS)}, got {lang!r}")
    ds = results.ds
    attrs = results.attrs
    labels = [str(s) for s in ds["scenario"].values]
    which = attrs.get("config_scenario") or attrs.get("scenario") or BASELINE
    params, total = assumptions(attrs.get("config_yaml"), lang)
    source_rows, region_folder = sources(attrs.get("region_path"))
    region_label = (tr("embedded_region", lang) if Path(region_folder).resolve()
                    == DEFAULT_REGION_PATH.resolve() else Path(region_folder).name)
    scale = attrs.get("agent_scale")
    figures = figure_images(ds, lang)
    reading = readings(ds, lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(TEMPLATE).render(
        lang=lang,
        t=lambda key, **v: tr(key, lang, **v),
        subtitle=tr("subtitle_sweep", lang, n_scen=len(labels), n_seed=ds.sizes["seed"],
                    y0=int(ds["year"].values[0]), y1=last_year(ds),
                    scale=fmt_value(scale, lang) if scale is not None else "–"),
        meta=[(tr("report_date", lang), (today or dt.date.today()).isoformat()),
              (tr("run_date", lang), attrs.get("created_utc", "–")),
              (tr("model_version", lang), attrs.get("model_version", "–")),
              (tr("git_commit", lang), attrs.get("git_commit", "–")),
              (tr("region_data", lang), str(attrs.get("region_data_sha256", "–"))[:16] + "…"),
              (tr("source_folder", lang), results.folder.name)],
        one_seed=ds.sizes["seed"] == 1,
        has_baseline=any(s.split("|")[0] == BASELINE for s in labels),
        table=headline_table(ds, lang, float(scale) if scale is not None else None),
        figures=[{"name": n, "caption": tr(f"cap_{n}", lang), "png": figures[n],
                  "reading": reading[n]} for n in plots.FIGURES],
        scenarios=scenario_blocks(ds, lang),
        params=params, n_params=total, which=which,
        sources=source_rows, region_folder=region_label,
        config_yaml=attrs.get("config_yaml"),
        folder=results.folder.name,
        few_agents_note=tr("few_agents_note", lang, k=FEW_AGENTS,
                           scale=fmt_value(scale, lang) if scale is not None else "–"),
        exploration=report_section([results.folder, *(exploration or [])], lang),
    )


def find_chromium() -> str | None:
    """The Chromium executable (``$HNCR_CHROMIUM`` first, then the usual names on PATH)."""
    explicit = os.environ.get("HNCR_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _chromium(html: Path, out: Path, action: list[str], chromium: str | None,
              timeout: float) -> Path:
    """Run headless Chromium on ``html`` writing ``out`` (atomically: a temp file, then rename)."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium found")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hncr-chromium-") as profile:
        tmp = Path(profile) / f"out{out.suffix}"
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}/profile",
                   *[a.replace("{out}", str(tmp)) for a in action], html.resolve().as_uri()]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False)
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            raise RuntimeError(f"Chromium ({chromium}) failed with status {proc.returncode}: "
                               f"{tail}")
        shutil.move(tmp, out.with_name(out.name + ".tmp"))
        os.replace(out.with_name(out.name + ".tmp"), out)
    return out


def print_pdf(html: Path, pdf: Path, chromium: str | None = None,
              timeout: float = 120) -> Path:
    """Print an HTML file to PDF with headless Chromium (A4, no header or footer)."""
    return _chromium(html, pdf, ["--no-pdf-header-footer", "--print-to-pdf={out}"], chromium,
                     timeout)


def screenshot(html: Path, png: Path, width: int = 1200, height: int = 1600,
               chromium: str | None = None, timeout: float = 120) -> Path:
    """A PNG of the top of an HTML page in headless Chromium (to check it renders)."""
    return _chromium(html, png, [f"--window-size={width},{height}", "--screenshot={out}"],
                     chromium, timeout)


def main(argv: list[str] | None = None) -> int:
    """``python -m model.report FOLDER [--lang vi|en] [--out DIR] [--no-pdf]``."""
    parser = argparse.ArgumentParser(
        prog="python -m model.report",
        description="Write the adviser report (HTML and PDF) of a run or sweep folder.")
    parser.add_argument("folder", help="a run folder (results.nc) or a sweep folder (sweep.nc)")
    parser.add_argument("--lang", choices=plots.LANGS, default="en",
                        help="language of the report (default en)")
    parser.add_argument("--out", default=None, help="output folder (default: FOLDER)")
    parser.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    parser.add_argument("--exploration", action="append", default=[], metavar="FOLDER",
                        help="an experiment folder analysed with python -m model.discover "
                             "(repeatable): adds 'What has to be true for the programme to work'")
    args = parser.parse_args(argv)
    try:
        results = load_results(args.folder)
        html_text = render(results, args.lang, exploration=args.exploration)
        out = Path(args.out) if args.out else results.folder
        html = write_text(html_text, out / f"report_{args.lang}.html")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"written: {html}")
    if args.no_pdf:
        return 0
    if find_chromium() is None:
        print(tr("warn_no_chromium", args.lang, names=", ".join(CHROMIUM_NAMES), html=html),
              file=sys.stderr)
        return 0
    try:
        pdf = print_pdf(html, html.with_suffix(".pdf"))
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"error: the HTML is written but the PDF is not: {exc}", file=sys.stderr)
        return 1
    print(f"written: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
