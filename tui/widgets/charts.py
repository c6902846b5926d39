"""Pick a chart widget for a series by its kind: the only place kinds map to widgets."""

from __future__ import annotations

from textual.widget import Widget

from sim.series import SeriesSpec
from tui.widgets.heatmap import HeatMap
from tui.widgets.plot_charts import (BarsChart, CurveChart, HistogramChart, RasterChart,
                                     ScatterChart, TraceChart)

CHART_FOR_KIND: dict[str, type[Widget]] = {
    "trace": TraceChart,
    "raster": RasterChart,
    "matrix": HeatMap,
    "histogram": HistogramChart,
    "curve": CurveChart,
    "scatter": ScatterChart,
    "bars": BarsChart,
}


def make_chart(spec: SeriesSpec, **kwargs) -> Widget:
    widget = CHART_FOR_KIND[spec.kind](spec, **kwargs)
    widget.add_class("chart")
    return widget
