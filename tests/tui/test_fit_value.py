"""A value in a column too narrow for it is written shorter, never cut into another number."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.format import fit_text, fit_value
from hebblab.tui.widgets.compare_params import CompareParamList
from hebblab.tui.widgets.param_panel import ParamList


@pytest.mark.parametrize("text,width,shown", [
    ("1.23457e-05", 6, "1.2e-5"),  # cut, it read 1.2345
    ("0.000123", 6, "1.2e-4"),  # more digits than 0.0001
    ("1200000", 6, "1.2e6"),
    ("0.3333333", 4, "0.33"),
    ("9.99999", 4, "10"),
    ("-0.000123", 5, "-1e-4"),
    ("40", 6, "40"),
    ("contingent", 6, "conti…"),
    ("1e+300", 2, "…"),
])
def test_examples(text, width, shown):
    assert fit_value(text, width) == shown


def test_a_number_keeps_its_value_to_the_digits_shown():
    rng = np.random.default_rng(3)
    for _ in range(3000):
        x = float(rng.choice([-1, 1]) * 10 ** rng.uniform(-300, 300))
        width = int(rng.integers(3, 12))
        out = fit_value(f"{x:.6g}", width)
        assert len(out) <= width
        if out == "…":
            continue
        mantissa = out.lstrip("-").partition("e")[0].replace(".", "").lstrip("0")
        digits = max(1, len(mantissa))
        assert float(out) == pytest.approx(x, rel=0.5 * 10 ** (1 - digits) * 1.0001), (x, width, out)
        assert math.copysign(1, float(out)) == math.copysign(1, x)


def test_words_end_in_an_ellipsis():
    assert fit_text("reward_window_ms", 12) == "reward_wind…"
    assert fit_text("eta", 12) == "eta"


def test_both_panels_show_a_long_number_shorter_not_cut():
    single = ParamList._line_text(("param", True, "tonic_uM", "1.23457e-05", "uM", False, False, False, 12, 26))
    assert "1.23e-5" in single.plain and "1.2345" not in single.plain
    compare = CompareParamList._line_text(("param", True, "tonic_uM", "1.23457e-05", "0.002", False, False, True,
                                           False, False, 0, 12, 6, "uM", 38))
    assert "1.2e-5" in compare.plain and "1.2345" not in compare.plain and "0.002" in compare.plain
