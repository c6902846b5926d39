"""How a comparison is shown, for both front ends: which charts overlay A and B and which
stand side by side, and the table of readouts with A, B, B - A and the relative change.

Overlaid: traces and curves that share their x axis (A and B as two named series; A's
rows drawn solid, B's dotted, so the two never look alike whatever the colours; with the
same k >= 2 rows a side, the legend in colour names each row once: hebblab/chart_render.py). Side by
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
SIDE_STYLES = {"A": "solid", "B": "dotted"}  # line styles (hebblab/chart_figures.py LINE_STYLES)


def _titled(s: Series, side: str) -> Series:
    return replace(s, spec=replace(s.spec, title=f"{side}: {s.spec.title}"))


def _rows(s: Series) -> tuple[np.ndarray, tuple[str, ...]]:
    y = np.atleast_2d(np.asarray(s.y, dtype=float))
    if len(s.labels) == y.shape[0]:
        labels = tuple(s.labels)
    else:  # one unnamed row is just "A" or "B" in the legend
        labels = ("",) if y.shape[0] == 1 else tuple(f"row {i}" for i in range(y.shape[0]))
    return y, labels


def _union(r1, r2):
    """Both sides' fixed axis range (None if either side has none: autoscale)."""
    if r1 is None or r2 is None:
        return None
    return (min(r1[0], r2[0]), max(r1[1], r2[1]))


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
                           labels=tuple(f"A {x}".rstrip() for x in la) + tuple(f"B {x}".rstrip() for x in lb),
                           y_range=_union(a.y_range, b.y_range), x_range=_union(a.x_range, b.x_range),
                           version=a.version + b.version,
                           extra={"line_styles": (SIDE_STYLES["A"],) * len(la) + (SIDE_STYLES["B"],) * len(lb)})]
    out = [_titled(a, "A"), _titled(b, "B")]
    if a.kind == "matrix" and np.shape(a.y) == np.shape(b.y):
        d = np.asarray(b.y, dtype=float) - np.asarray(a.y, dtype=float)
        span = float(np.nanmax(np.abs(d))) if d.size and np.isfinite(d).any() else 0.0
        span = span or 1.0
        out.append(replace(a, y=d, vmin=-span, vmax=span,
                           spec=replace(a.spec, name=f"{a.spec.name}.diff", title=f"B - A: {a.spec.title}")))
    return out


def overlaid(spec: SeriesSpec) -> bool:
    """True if a comparison draws this series as one chart with A and B overlaid."""
    return spec.kind in OVERLAID


def pair_specs(spec: SeriesSpec) -> list[SeriesSpec]:
    """The specs of the charts `display_pair` returns for a series: one overlay, or A and
    B (and B - A for a matrix). A live view lays its charts out from these."""
    if overlaid(spec):
        return [SeriesSpec(spec.name, "trace", f"{spec.title} (A vs B)", spec.xlabel, spec.ylabel, spec.help)]
    out = [replace(spec, title=f"{side}: {spec.title}") for side in ("A", "B")]
    if spec.kind == "matrix":
        out.append(replace(spec, name=f"{spec.name}.diff", title=f"B - A: {spec.title}"))
    return out


def display_pair(a: Series, b: Series) -> list[Series]:
    """`pair_series` for a live view, whose charts are fixed in advance (`pair_specs`): an
    overlaid kind stays overlaid when B's x differs from A's (a different time step), B
    resampled onto A's x; a matrix whose sides differ in shape gets no difference map."""
    if overlaid(a.spec) and b.x is not None and a.x is not None and not (
            np.shape(a.x) == np.shape(b.x) and np.array_equal(a.x, b.x)):
        xa, xb = np.asarray(a.x, dtype=float), np.asarray(b.x, dtype=float)
        yb, _ = _rows(b)
        if xb.size and xb.size == yb.shape[1] and np.all(np.diff(xb) > 0):
            y = np.vstack([np.interp(xa, xb, row, left=np.nan, right=np.nan) for row in yb])
            b = replace(b, y=y, x=xa)
    out = pair_series(a, b)
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
