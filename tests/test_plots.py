"""Figures of model.plots: every figure on a sweep and a single run, in English and Vietnamese."""

import warnings

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from model import plots
from model.compare import as_sweep

# Per figure and language: words that must appear in the axis labels, and units.
EXPECTED = {
    "occupancy": {"en": ["Occupancy", "(% of serviced land)", "Year"],
                  "vi": ["lấp đầy", "(% đất có hạ tầng)", "Năm"]},
    "relocation": {"en": ["Firms relocated", "(firms)", "Jobs", "(jobs)"],
                   "vi": ["Doanh nghiệp di dời", "(doanh nghiệp)", "Việc làm"]},
    "forest": {"en": ["Net absorption (ktCO2e/yr)", "Carbon stock (MtCO2e)"],
               "vi": ["Hấp thụ ròng (nghìn tCO2e/năm)", "Trữ lượng các-bon (triệu tCO2e)"]},
    "commuting": {"en": ["Commute time (min)", "Share of workers (%)", "Mode share (%)"],
                  "vi": ["Thời gian đi làm (phút)", "Tỷ lệ lao động (%)",
                         "Tỷ trọng phương tiện (%)"]},
    "map": {"en": ["Longitude (°E)", "Latitude (°N)", "Corridor opening year (year)",
                   "Cluster occupancy (%)"],
            "vi": ["Kinh độ (°Đ)", "Vĩ độ (°B)", "Năm thông tuyến hành lang (năm)",
                   "Tỷ lệ lấp đầy của khu, cụm (%)"]},
    "cost": {"en": ["Cost (bn VND)", "Land let (ha)", "Net absorption (ktCO2e)"],
             "vi": ["Chi phí (tỷ đồng)", "Đất cho thuê (ha)", "Hấp thụ ròng (nghìn tCO2e)"]},
}
ENGLISH_ONLY = ["Year", "Occupancy", "Share", "Cost", "Longitude", "Scenario"]




def labels_of(fig: Figure) -> list[str]:
    texts = []
    for ax in fig.axes:
        texts += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
    texts += [t.get_text() for t in fig.texts]
    texts += [fig.get_suptitle()]
    for legend in fig.legends:
        texts.append(legend.get_title().get_text())
        texts += [t.get_text() for t in legend.get_texts()]
    return [t for t in texts if t]


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("name", list(plots.FIGURES))
@pytest.mark.parametrize("data", ["sweep", "run"])
def test_figure_labels_and_units_in_both_languages(name, lang, data, sweep, runs):
    ds = sweep if data == "sweep" else runs[0]
    fig = plots.FIGURES[name](ds, lang)
    assert isinstance(fig, Figure)
    texts = labels_of(fig)
    joined = "\n".join(texts)
    for expected in EXPECTED[name][lang]:
        assert expected in joined, (expected, texts)
    if lang == "vi":
        for word in ENGLISH_ONLY:
            assert word not in joined.replace("phu_tho_programme", ""), (word, texts)
    # Every y axis that shows data names its unit in brackets.
    for ax in fig.axes:
        if ax.get_visible() and ax.get_ylabel() and ax.has_data():
            assert "(" in ax.get_ylabel() and ")" in ax.get_ylabel(), ax.get_ylabel()
    note = "across 2 seeds" if lang == "en" else "trung vị của 2"
    if data == "sweep":
        assert note in joined
    else:
        assert ("one seed" if lang == "en" else "một lần chạy") in joined


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_figures_render_to_png_without_missing_glyphs(lang, sweep):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a warning
        for make in plots.FIGURES.values():
            png = plots.to_png(make(sweep, lang), dpi=40)
            assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_ranges_shown_across_seeds_only_when_there_are_several(sweep, runs):
    bands = [c for ax in plots.occupancy_figure(sweep).axes for c in ax.collections
             if isinstance(c, PolyCollection)]
    assert bands, "a sweep's occupancy figure has 5-95 % bands"
    single = [c for ax in plots.occupancy_figure(runs[0]).axes for c in ax.collections
              if isinstance(c, PolyCollection)]
    assert not single


def test_occupancy_lines_are_the_medians(sweep):
    fig = plots.occupancy_figure(sweep)
    ax = next(a for a in fig.axes if a.get_title() == "Phú Thọ")
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "phu_tho_programme")
    expected = sweep["province_occupancy"].sel(scenario="phu_tho_programme",
                                               province="Phú Thọ").median("seed") * 100
    np.testing.assert_allclose(line.get_ydata(), expected.values)


def test_cost_figure_is_relative_to_the_baseline_only_when_there_is_one(sweep, runs):
    relative = plots.cost_figure(sweep, "en")
    assert "relative to the baseline" in relative.get_suptitle()
    assert [t.get_text() for t in relative.axes[0].get_xticklabels()] == ["phu_tho_programme"]
    absolute = plots.cost_figure(runs[0], "en")
    assert "no baseline" in absolute.get_suptitle()


def test_swept_settings_become_scenario_labels(sweep):
    swept = sweep.expand_dims(policies__forest__carbon_price_usd_tco2e=[5.0, 10.0])
    folded = as_sweep(swept)
    assert "phu_tho_programme|policies__forest__carbon_price_usd_tco2e=10" in folded[
        "scenario"].values
    fig = plots.occupancy_figure(swept, "en")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(legend) == 4


def test_no_global_style_side_effects(sweep):
    before = dict(mpl.rcParams)
    plots.commuting_figure(sweep, "vi")
    after = dict(mpl.rcParams)
    assert before == after


def test_every_text_has_both_languages():
    for key, texts in plots.TEXT.items():
        assert set(texts) == {"en", "vi"}, key
        assert all(texts.values()), key
    with pytest.raises(ValueError, match="lang"):
        plots.tr("year", "fr")
