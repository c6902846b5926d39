"""How a comparison is shown, for both front ends: which charts overlay A and B and which
stand side by side, and the table of readouts with A, B, B - A and the relative change.

Overlaid: traces and curves that share their x axis (A and B as two named series). Side by
side: heat-maps, histograms, rasters, scatter clouds and bars, where two layers would hide
each other; weight matrices also get a difference heat-map (B - A).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import numpy as np

from hebblab.sim.compare import diff, numeric, relative
from hebblab.sim.series import Series, SeriesSpec

OVERLAID = ("trace", "curve")


def _titled(s: Series, side: str) -> Series:
    return replace(s, spec=replace(s.spec, title=f"{side}: {s.spec.title}"))


def _rows(s: Series) -> tuple[np.ndarray, tuple[str, ...]]:
    y = np.atleast_2d(np.asarray(s.y, dtype=float))
    labels = tuple(s.labels) if len(s.labels) == y.shape[0] else tuple(f"row {i}" for i in range(y.shape[0]))
    return y, labels


def pair_series(a: Series, b: Series) -> list[Series]:
    """The charts for one series of a comparison: one overlay, or A and B (and B - A)."""
    same_x = a.x is not None and b.x is not None and np.shape(a.x) == np.shape(b.x) and np.array_equal(a.x, b.x)
    if a.kind in OVERLAID and same_x:
        ya, la = _rows(a)
        yb, lb = _rows(b)
        if ya.shape[1] == yb.shape[1]:
            spec = SeriesSpec(a.spec.name, "trace", f"{a.spec.title} (A vs B)", a.spec.xlabel, a.spec.ylabel,
                              a.spec.help)
            hlines = {f"{k}": v for k, v in a.hlines.items() if b.hlines.get(k) == v}
            hlines.update({f"A {k}": v for k, v in a.hlines.items() if k not in hlines})
            hlines.update({f"B {k}": v for k, v in b.hlines.items() if k not in hlines})
            return [Series(spec, np.vstack([ya, yb]), x=np.asarray(a.x), hlines=hlines,
                           labels=tuple(f"A {x}" for x in la) + tuple(f"B {x}" for x in lb),
                           version=a.version + b.version)]
    out = [_titled(a, "A"), _titled(b, "B")]
    if a.kind == "matrix" and np.shape(a.y) == np.shape(b.y):
        d = np.asarray(b.y, dtype=float) - np.asarray(a.y, dtype=float)
        span = float(np.nanmax(np.abs(d))) if d.size and np.isfinite(d).any() else 0.0
        span = span or 1.0
        out.append(replace(a, y=d, vmin=-span, vmax=span,
                           spec=replace(a.spec, name=f"{a.spec.name}.diff", title=f"B - A: {a.spec.title}")))
    return out


def comparison_series(series_a: Mapping[str, Series], series_b: Mapping[str, Series]) -> list[Series]:
    """Every chart of a comparison, in the lab's series order."""
    out: list[Series] = []
    for name, a in series_a.items():
        if name in series_b:
            out += pair_series(a, series_b[name])
    return out


def metric_rows(metrics_a: Mapping[str, Any], metrics_b: Mapping[str, Any]) -> list[tuple[str, Any, Any, Any, Any]]:
    """(name, a, b, b - a, relative change) for every numeric metric, in the lab's order."""
    rows = []
    for name, d in diff(metrics_a, metrics_b).items():
        a, b = metrics_a.get(name), metrics_b.get(name)
        rows.append((name, a, b, d, relative(numeric(a), numeric(b))))
    return rows
