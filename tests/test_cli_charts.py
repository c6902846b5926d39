"""Terminal charts (cli/terminal_charts.py): every kind draws, whatever the data holds."""

from __future__ import annotations

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
