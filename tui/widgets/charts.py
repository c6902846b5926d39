"""Pick a chart widget for a series by its kind: the only place kinds map to widgets.

Two backends: "canvas" (default; own numpy braille/block charts, tui/widgets/canvas_chart.py)
and "plotext" (textual-plotext). benchmarks/tui.py measures both; plotext misses the
33 ms frame budget at 120x40 with three charts, so the canvas charts are the default.
Matrices always use the half-block heat-map. HEBBLAB_CHARTS=plotext selects plotext.
"""

from __future__ import annotations

import os

from textual.widget import Widget

from hebblab.sim.series import SeriesSpec
from hebblab.tui.widgets.canvas_chart import (BarsCanvas, CurveCanvas, HistogramCanvas, RasterCanvas,
                                      ScatterCanvas, TraceCanvas)
from hebblab.tui.widgets.heatmap import HeatMap

CANVAS: dict[str, type[Widget]] = {
    "trace": TraceCanvas,
    "raster": RasterCanvas,
    "matrix": HeatMap,
    "histogram": HistogramCanvas,
    "curve": CurveCanvas,
    "scatter": ScatterCanvas,
    "bars": BarsCanvas,
}


def plotext_charts() -> dict[str, type[Widget]]:
    from hebblab.tui.widgets.plot_charts import (BarsChart, CurveChart, HistogramChart, RasterChart,
                                         ScatterChart, TraceChart)

    return {"trace": TraceChart, "raster": RasterChart, "matrix": HeatMap, "histogram": HistogramChart,
            "curve": CurveChart, "scatter": ScatterChart, "bars": BarsChart}


def make_chart(spec: SeriesSpec, backend: str | None = None, **kwargs) -> Widget:
    backend = backend or os.environ.get("HEBBLAB_CHARTS", "canvas")
    table = plotext_charts() if backend == "plotext" else CANVAS
    widget = table[spec.kind](spec, **kwargs)
    widget.add_class("chart")
    return widget
