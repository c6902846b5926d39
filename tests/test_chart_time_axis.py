"""Time axes pick their unit from the span shown (ms, s, min) and label round values in
plain decimals: no "1e4", no lone "1e5" tick (hebblab/chart_render.py time_ticks)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.chart_render import TIME_UNITS, render_series, time_ticks, time_unit
from hebblab.sim.series import Series, SeriesSpec

SPANS_MS = np.geomspace(1.0, 3_600_000.0, 61)  # 1 ms to 60 min


def _round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5, 10))


@pytest.mark.parametrize("max_ticks", [2, 3, 4, 6])
@pytest.mark.parametrize("offset_ms", [0.0, 1234.5, 3_600_000.0])
def test_ticks_are_round_plain_and_in_a_unit_fit_for_the_span(max_ticks, offset_ms):
    for span in SPANS_MS:
        lo, hi = offset_ms, offset_ms + span
        ticks, unit = time_ticks(lo, hi, max_ticks, "ms")
        assert list(TIME_UNITS).index(unit) >= list(TIME_UNITS).index(time_unit(span))
        if offset_ms == 0:  # the unit follows the span alone
            assert unit == ("ms" if span < 2000 else "s" if span <= 180_000 else "min"), span
        assert 2 <= len(ticks) <= max(max_ticks, 5), (span, ticks)  # never a lone tick
        positions = np.array([v for v, _ in ticks])
        assert np.all((positions >= lo - span * 1e-9) & (positions <= hi + span * 1e-9))
        labels = [text for _, text in ticks]
        assert not any("e" in text for text in labels), (span, offset_ms, labels)
        values = np.array([float(text) for text in labels])
        factor = {"ms": 1.0, "s": 1e3, "min": 6e4}[unit]
        assert np.allclose(values * factor, positions, rtol=1e-9, atol=factor * 1e-9)  # labels say where
        steps = np.diff(values)
        assert np.allclose(steps, steps[0]) and _round(steps[0]), (span, labels)
        if offset_ms == 0:
            assert max(len(text) for text in labels) <= 5, (span, labels)
        if span >= 1000.0:  # the last seconds of an hour: "3590" s, not "3590000" ms
            assert max(len(text) for text in labels) <= 6, (span, offset_ms, labels)


def test_data_in_seconds_are_relabelled_too():
    ticks, unit = time_ticks(0.0, 1800.0, 5, "s")  # rstdp's half hour, its data in s
    assert unit == "min" and [t for _, t in ticks] == ["0", "10", "20", "30"]
    assert [v for v, _ in ticks] == [0.0, 600.0, 1200.0, 1800.0]
    ticks, unit = time_ticks(0.0, 1.5, 5, "s")
    assert unit == "ms" and ticks[-1] == (1.5, "1500")


def _axis_text(x_ms: np.ndarray, xlabel: str = "time (ms)") -> list[str]:
    spec = SeriesSpec("v", "trace", "V", xlabel, "V (mV)")
    s = Series(spec, np.sin(np.arange(len(x_ms)) / 10), x=x_ms)
    return ["".join(t for t, _ in row) for row in render_series(s, 80, 12, color=False).rows]


@pytest.mark.parametrize("end_ms,unit,labels", [
    (100_000.0, "s", ["0", "20", "40", "60", "80"]),  # was 2e4 ... a single 1e5
    (15_000.0, "s", ["0", "5", "10"]),  # was 5000 1e4 1.5e4
    (3_600_000.0, "min", ["0", "20", "40"]),
    (800.0, "ms", ["0", "200", "400", "600"]),
])
def test_the_rendered_axis_says_its_unit_and_round_labels(end_ms, unit, labels):
    rows = _axis_text(np.linspace(0.0, end_ms, 500))
    last = rows[-1]
    assert last.rstrip().endswith(f"time ({unit})"), last
    assert last.split()[: len(labels)] == labels, last
    assert "e" not in last.replace("time", ""), last
