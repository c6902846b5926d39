"""No chart opens empty: pairing's "dw vs pairing frequency" and "STDP window" charts show
the rule's predicted curves from the first frame in every mode, measured points joining
them as protocols finish (issue: `hebblab tui pairing` opened on an empty chart)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.chart_render import render_series
from hebblab.sim.labs import get_lab

BRAILLE = range(0x2801, 0x2900)


@pytest.mark.parametrize("preset", [None, "frequency"])
@pytest.mark.parametrize("name", ["frequency", "window"])
def test_the_pairing_curves_are_drawn_before_any_step(preset, name):
    lab = get_lab("pairing")(seed=0, preset=preset)
    s = lab.series()[name]
    picture = render_series(s, 70, 16, color=False)
    assert not picture.empty
    text = "\n".join("".join(t for t, _ in row) for row in picture.rows[1:-2])
    assert sum(ord(ch) in BRAILLE or ch == "•" for ch in text) > 20, text


def test_the_frequency_theory_is_the_pair_rule_at_low_frequency():
    """Default (window mode, pair rule, all-to-all, +/-10 ms, 60 pairs): at 0.1 Hz the pairs
    are 10 s apart, so each contributes A+ exp(-d/tau+) (pre first) or -A- exp(-d/tau-)."""
    lab = get_lab("pairing")(seed=0)
    P = lab.params
    assert P["mode"] == "window" and P["rule"] == "pair"
    fs, pre_post = lab.series()["frequency"].overlays["theory pre-post"]
    _, post_pre = lab.series()["frequency"].overlays["theory post-pre"]
    d = abs(P["delay_ms"])
    assert fs[0] == pytest.approx(0.1)
    assert pre_post[0] == pytest.approx(P["n_pairs"] * P["A_plus"] * math.exp(-d / P["tau_plus_ms"]), rel=1e-6)
    assert post_pre[0] == pytest.approx(-P["n_pairs"] * P["A_minus"] * math.exp(-d / P["tau_minus_ms"]), rel=1e-6)
    assert np.all(1000.0 / fs > d)  # every frequency keeps its pairs apart


def test_measured_points_join_the_theory_as_protocols_finish():
    lab = get_lab("pairing")(seed=0, preset="frequency")
    before = lab.series()["frequency"]
    assert len(before.y) == 0 and len(before.overlays["theory pre-post"][0]) > 0
    lab.step(int(60_000 / lab.dt_ms))
    after = lab.series()["frequency"]
    assert len(after.y) > 0
