"""The lab's chart widget: one class for every chart kind, a thin wrapper over the shared
renderer (hebblab/chart_render.py, also drawing the CLI's `--plot`).

It keeps the latest Series and draws it only when shown and changed: a hidden, covered or
unchanged chart costs nothing. Series colours come from the Textual theme (primary,
accent, warning, ...), so charts follow theme switches.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from hebblab.chart_figures import same_data
from hebblab.chart_render import Ink, render_series
from hebblab.sim.series import Series, SeriesSpec

_THEME_KEYS = ("primary", "accent", "warning", "success", "secondary", "error")


class Chart(Widget):
    DEFAULT_CSS = """
    Chart { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, spec: SeriesSpec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.series: Series | None = None
        self._lines: list[Strip] = []
        self._key: tuple | None = None
        self._styles: dict[Ink, Style] = {}
        self._palette: list[str] = []
        self.tooltip = f"{spec.title}: {spec.help}" if spec.help else spec.title

    def show_series(self, series: Series) -> None:
        if same_data(self.series, series):
            return  # nothing new to draw (e.g. an f-I curve while only time advances)
        self.series = series
        self._key = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        key = (self.size, id(self.series), self.app.theme)
        if self._key != key:
            self._styles.clear()  # the theme (colours, background) may have changed
            self._palette = self.palette()
            width = self.size.width
            picture = render_series(self.series, width, self.size.height, color=True, notes=False,
                                    title=self.spec.title)
            self._lines = [Strip([Segment(text, self._style(ink)) for text, ink in row], width)
                           for row in picture.rows]
            self._key = key
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def palette(self) -> list[str]:
        variables = self.app.theme_variables
        out = []
        for key in _THEME_KEYS:
            try:
                colour = Color.parse(variables[key]).hex
            except Exception:
                continue
            if colour not in out:  # themes reuse colours (accent = warning): keep lines apart
                out.append(colour)
        return out or ["#0080ff"]

    def _style(self, ink: Ink) -> Style:
        style = self._styles.get(ink)
        if style is None:
            pal = self._palette
            fg = pal[ink.fg % len(pal)] if isinstance(ink.fg, int) else ink.fg
            bg = pal[ink.bg % len(pal)] if isinstance(ink.bg, int) else ink.bg
            if bg is not None:  # a coloured cell (heat-map): its own colours, nothing of the surface
                style = Style(color=fg, bgcolor=bg)
            else:
                style = self.rich_style + Style(color=fg, bold=ink.bold, dim=ink.dim)
            self._styles[ink] = style
        return style


def make_chart(spec: SeriesSpec, **kwargs) -> Chart:
    widget = Chart(spec, **kwargs)
    widget.add_class("chart")
    return widget
