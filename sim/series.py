"""What a lab exposes to front ends: named scalars (readouts) and named arrays (series).

A `Series` carries its chart kind, so a front end picks a chart by kind and never
needs to know which lab it came from. Kinds and the fields they use:

- "trace":     x (time, ms), y shape (k, n) or (n,), labels per row; hlines.
- "raster":    x spike times (ms), y cell indices; y_range = (lo, hi) cells;
               `groups` optional int array (same length as x) for colours (0 = E, 1 = I).
- "matrix":    y 2-D array (heat-map); x unused; vmin/vmax suggested colour range.
- "histogram": y values; bins; x_range.
- "curve":     x, y (measured), overlays {"theory": (x, y)}, markers {"now": (x, y)}.
- "scatter":   x, y points; overlays of line segments {"w": (xs, ys)}.
- "bars":      y values, labels (one bar per label).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

CHART_KINDS = ("trace", "raster", "matrix", "histogram", "curve", "scatter", "bars")


@dataclass(frozen=True)
class ReadoutSpec:
    """A named scalar a lab reports every frame (rate, spike count, weight norm...)."""

    name: str
    unit: str = ""
    help: str = ""


@dataclass(frozen=True)
class SeriesSpec:
    """Declares a series: its name, chart kind, axis labels and help."""

    name: str
    kind: str
    title: str
    xlabel: str = ""
    ylabel: str = ""
    help: str = ""

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"series {self.name}: unknown chart kind {self.kind!r}")


@dataclass
class Series:
    """One chart's data at this moment. Arrays are copies: safe to keep."""

    spec: SeriesSpec
    y: np.ndarray
    x: np.ndarray | None = None
    labels: tuple[str, ...] = ()
    hlines: dict[str, float] = field(default_factory=dict)
    overlays: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    markers: dict[str, tuple[float, float]] = field(default_factory=dict)
    groups: np.ndarray | None = None
    y_range: tuple[float, float] | None = None
    x_range: tuple[float, float] | None = None
    bins: int = 20
    vmin: float | None = None
    vmax: float | None = None
    version: int = 0  # bumps when the data changed; front ends redraw only then
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind
