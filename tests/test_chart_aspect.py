"""Geometric charts are drawn to scale: oja's input cloud at angle_deg = 30 shows its
principal axis at 30 degrees on screen. Assumption (hebblab/chart_render.py equal_scales):
a terminal cell is about twice as tall as wide, so a braille dot (2 x 4 per cell) is square
and equal data per dot on both axes is equal scales."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hebblab.chart_render import render_series
from hebblab.sim.labs import get_lab


def _dots(rows, colour: int) -> np.ndarray:
    """(x, y) of every braille dot drawn in `colour`, in dot units, y up."""
    bits = [(0, 0, 0x01), (0, 1, 0x02), (0, 2, 0x04), (1, 0, 0x08), (1, 1, 0x10), (1, 2, 0x20),
            (0, 3, 0x40), (1, 3, 0x80)]
    out = []
    for r, row in enumerate(rows):
        c = 0
        for text, ink in row:
            for ch in text:
                code = ord(ch) - 0x2800
                if ink.fg == colour and 0 < code < 256:
                    out += [(2 * c + dx, -(4 * r + dy)) for dx, dy, bit in bits if code & bit]
                c += 1
    return np.array(out, dtype=float)


def _angle(points: np.ndarray) -> float:
    centred = points - points.mean(axis=0)
    _, vecs = np.linalg.eigh(centred.T @ centred)
    vx, vy = vecs[:, -1]
    return math.degrees(math.atan2(vy, vx)) % 180.0


@pytest.mark.parametrize("width,height", [(78, 22), (100, 30), (52, 14), (40, 12)])
@pytest.mark.parametrize("angle", [30.0, 60.0])
def test_the_principal_axis_is_drawn_at_its_angle(width, height, angle):
    lab = get_lab("oja")({"angle_deg": angle}, seed=1)
    lab.step(200)
    s = lab.series()["cloud"]
    assert list(s.overlays)[0] == "PC1"
    pc1 = _dots(render_series(s, width, height, color=True).rows, colour=1)
    assert len(pc1) > 10
    assert abs(_angle(pc1) - angle) <= 3.0, (_angle(pc1), width, height)


def test_without_equal_scales_the_same_chart_is_distorted():
    """The check above can fail: drawn to fill the box, the axis comes out at another angle."""
    lab = get_lab("oja")({"angle_deg": 30.0}, seed=1)
    lab.step(200)
    s = lab.series()["cloud"]
    s.extra = {}
    pc1 = _dots(render_series(s, 78, 22, color=True).rows, colour=1)
    assert abs(_angle(pc1) - 30.0) > 3.0

