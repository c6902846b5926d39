"""Terminal charts (cli/terminal_charts.py): every kind draws, whatever the data holds."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hebblab.sim.series import CHART_KINDS, Series, SeriesSpec
from hebblab.cli.terminal_charts import SHADES, render


def series(kind, **kw):
    return Series(SeriesSpec("s", kind, f"A {kind}", "x label", "y label"), **kw)


NASTY = np.array([1.0, np.nan, np.inf, -np.inf, 2.0, 3.0])
CASES = {
    "trace": dict(x=np.arange(6.0), y=NASTY, hlines={"thr": 2.5, "bad": np.nan}),
    "raster": dict(x=np.array([1.0, np.nan, 3.0, 4.0]), y=np.array([0.0, 1.0, np.inf, 1.0]),
                   groups=np.array([0, 1, 0, 1]), labels=("E", "I"), y_range=(0, 2)),
    "matrix": dict(y=np.array([[1.0, np.nan], [np.inf, -np.inf]])),
    "histogram": dict(y=NASTY, bins=4),
    "curve": dict(x=np.arange(6.0), y=NASTY, overlays={"theory": (np.arange(6.0), NASTY[::-1])},
                  markers={"now": (2.0, 2.0), "nowhere": (np.nan, 1.0)}),
    "scatter": dict(x=NASTY[::-1], y=NASTY, overlays={"w": (np.array([0.0, 1.0]), np.array([0.0, np.inf]))}),
    "bars": dict(y=np.array([1.0, np.nan, 3.0]), labels=("a", "b", "c")),
}


def test_cases_cover_every_kind():
    assert set(CASES) == set(CHART_KINDS)


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_non_finite_data_draws_without_error(kind):
    text = render(series(kind, **CASES[kind]), width=60, height=12)
    assert f"A {kind}" in text
    assert "no data" not in text
    assert all(len(line) <= 60 for line in text.splitlines())
    assert "\x1b[" not in text


@pytest.mark.parametrize("kind", CHART_KINDS)
def test_all_bad_or_empty_data_says_so(kind):
    bad = np.array([np.nan, np.inf])
    empty = {"trace": dict(x=np.arange(2.0), y=bad), "raster": dict(x=np.array([]), y=np.array([])),
             "matrix": dict(y=np.zeros((0, 0))), "histogram": dict(y=bad),
             "curve": dict(x=np.arange(2.0), y=bad), "scatter": dict(x=bad, y=bad), "bars": dict(y=bad)}[kind]
    text = render(series(kind, **empty), width=60, height=12)
    if kind == "matrix":
        assert "no data" in text
    else:
        assert text.splitlines()[-1].strip() == "(no data to draw)"


def test_colour_only_when_asked():
    s = series("trace", x=np.arange(50.0), y=np.sin(np.arange(50.0)))
    assert "\x1b[" in render(s, 60, 12, color=True)
    assert "\x1b[" not in render(s, 60, 12, color=False)


def test_a_long_trace_keeps_its_one_sample_spike():
    y = np.full(500_000, -70.0)
    y[250_001] = 20.0
    text = render(series("trace", x=np.arange(y.size) * 0.1, y=y), width=80, height=14)
    top_row = next(l for l in text.splitlines() if l.lstrip().startswith("20"))
    assert any(ch not in " │┤" for ch in top_row.split("┤", 1)[1])  # something drawn at +20


def test_heatmap_levels_follow_values():
    text = render(series("matrix", y=np.array([[0.0, 1.0]]), vmin=0.0, vmax=1.0), width=40, height=10)
    row = next(l for l in text.splitlines() if l.startswith("0 |"))
    cells = row.split("|")[1]
    assert cells[0] == SHADES[0] and cells[-1] == SHADES[-1]
    assert "values:" in text  # small matrices also print their numbers


def test_big_matrix_is_shrunk_to_fit():
    text = render(series("matrix", y=np.random.default_rng(0).random((500, 700))), width=60, height=20)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert len(text.splitlines()) <= 22


def test_every_kind_has_one_figure_builder():
    from hebblab.chart_figures import KINDS

    assert set(KINDS) == set(CHART_KINDS)


def _legend_samples(text: str, names) -> dict[str, str]:
    """The character just before " NAME" in the legend ("━ V" -> "━")."""
    out = {}
    for line in text.splitlines():
        for name in names:
            at = line.find(f" {name}")
            if at >= 1 and name not in out:
                out[name] = line[at - 1]
    return out


def test_without_colour_each_series_has_its_own_glyph():
    x = np.linspace(0.0, 10.0, 400)
    s = series("trace", x=x, y=np.vstack([np.sin(x), np.cos(x), 0.5 * np.sin(2 * x)]),
               labels=("alpha", "beta", "gamma"), hlines={"limit": 0.8})
    plain = render(s, width=70, height=16, color=False)
    samples = _legend_samples(plain, ("alpha", "beta", "gamma", "limit"))
    assert len(set(samples.values())) == 4, samples  # four series, four looks
    plot = [line.split("┤", 1)[-1].split("│", 1)[-1] for line in plain.splitlines()[4:-2]]
    for name in ("beta", "gamma"):  # the glyph in the legend is the glyph on the plot
        assert any(samples[name] in row for row in plot), (name, plain)
    coloured = render(s, width=70, height=16, color=True)
    assert "•" not in coloured and "+" not in coloured.split("\n", 1)[1]  # colour tells them apart
    assert len({code for code in re.findall(r"\x1b\[([0-9;]+)m━", coloured)}) == 3


def test_heatmap_in_colour_is_coloured_cells():
    text = render(series("matrix", y=np.array([[0.0, 1.0]]), vmin=0.0, vmax=1.0), width=40, height=10, color=True)
    assert "\x1b[48;2;" in text and SHADES[-1] not in text and "values:" not in text  # values sit in the cells


def test_a_new_chart_kind_is_its_name_and_one_builder(monkeypatch):
    """Adding a kind touches two files: CHART_KINDS (sim/series.py) and a builder
    (hebblab/chart_figures.py); the renderer and both front ends need nothing new."""
    import hebblab.sim.series as series_module
    from hebblab.chart_figures import KINDS, Figure, Layer

    monkeypatch.setattr(series_module, "CHART_KINDS", (*CHART_KINDS, "stairs"))
    monkeypatch.setitem(KINDS, "stairs", lambda s, columns, rows: Figure(
        layers=[Layer(np.repeat(s.x, 2)[1:], np.repeat(s.y, 2)[:-1], 0, "line", "steps")]))
    text = render(series("stairs", x=np.arange(5.0), y=np.array([0.0, 1.0, 1.0, 3.0, 2.0])), width=50, height=10)
    assert "A stairs" in text and "┤" in text and any(0x2800 < ord(ch) < 0x2900 for ch in text)
