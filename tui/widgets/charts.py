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
from textual.filter import ANSIToTruecolor
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from hebblab.chart_figures import same_data
from hebblab.chart_render import Ink, render_series
from hebblab.sim.series import Series, SeriesSpec
from hebblab.tui.widgets.line_diff import Cells, cells_of, changed_regions

# Hue families first (blue, orange, green, red in the default themes): the first four series,
# e.g. oja's cloud, PC1, Oja's w and Hebb's w, never share a look; secondary is often a
# darker primary, so it comes last.
_THEME_KEYS = ("primary", "accent", "success", "error", "warning", "secondary")
_CLOSE = 60.0  # RGB distance below which two colours count as one
# After the theme's own colours, until there are six: violet, teal, amber, lime, pink, grey.
_FALLBACK = ("#c678dd", "#56b6c2", "#e5c07b", "#98c379", "#ff79c6", "#c8c8c8")


class Chart(Widget):
    DEFAULT_CSS = """
    Chart { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, spec: SeriesSpec, **kwargs):
        super().__init__(**kwargs)
        self.spec = spec
        self.series: Series | None = None
        self._lines: list[Strip] = []
        self._cells: Cells | None = None  # the picture's cells, to find what the next one changes
        self._style_ids: dict[Style, int] = {}
        self._key: tuple | None = None
        self._styles: dict[Ink, Style] = {}
        self._palette: list[str] = []
        self._look: tuple | None = None  # (theme, surface, background, filter) the styles were made for
        self._surface = Style()
        self._convert: ANSIToTruecolor | None = None  # the app's colour filter, applied in _style
        self._background = None  # the rich colour under the chart (what the filter blends dim text with)
        self.tooltip = f"{spec.title}: {spec.help}" if spec.help else spec.title

    def show_series(self, series: Series) -> None:
        if same_data(self.series, series):
            return  # nothing new to draw (e.g. an f-I curve while only time advances)
        if len(self._style_ids) > 50_000:  # styles are numbered as characters: clear of the surrogates
            self._style_ids.clear()
            self._cells = None  # (numbered anew: the next picture is sent whole)
        drawn, old = self._key, self._cells
        self.series = series
        self._key = None
        if drawn is not None and old is not None and drawn[0] == self.size and drawn[2] == self.app.theme:
            # Same size and theme: send the terminal only the cells that changed (bandwidth).
            self.render_line(0)  # draws the new picture into _lines and _cells
            regions = changed_regions(old, self._cells, self.size.width)
            if regions:
                self.refresh(*regions)
            return
        self.refresh()

    def render_line(self, y: int) -> Strip:
        key = (self.size, id(self.series), self.app.theme)
        if self._key != key:
            convert, _ = self._split_filters()
            if self._look is not None and self._look[0] == key[2]:  # surface and background hold
                look = (*self._look[:3], convert)
            else:  # working these out walks the ancestors' styles (0.1 ms a chart)
                look = (key[2], self.rich_style, self.background_colors[1], convert)
            surface, background = look[1], look[2]
            if self._look != look:  # a theme or surface change: new colours (new data alone keeps them)
                self._styles.clear()
                self._palette = self.palette()
                self._surface, self._convert, self._background = surface, convert, background.rich_color
                self._look = look
            width = self.size.width
            picture = render_series(self.series, width, self.size.height, color=True, notes=False,
                                    title=self.spec.title, ylabel=self.spec.ylabel)
            rows = [[(text, self._style(ink)) for text, ink in row] for row in picture.rows]
            self._lines = [Strip([Segment(text, style) for text, style in row], width) for row in rows]
            self._cells = cells_of(rows, width, self._style_ids)
            self._key = key
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self._converted(self.rich_style))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look = None  # CSS applied again (a theme, a class on an ancestor): work the look out anew

    def render_lines(self, crop: Region) -> list[Strip]:
        # The lines are already styled and exactly as wide as the chart: Textual's styling
        # pass (borders, padding, tint, opacity), which a chart never has, took a third of a
        # comparison's compositing. With any of those set, Textual's own path.
        styles = self.styles
        if (any(styles.gutter) or any(edge for edge, _ in styles.outline) or styles.tint.a
                or styles.text_opacity != 1.0 or self.opacity != 1.0
                or (styles.has_rule("hatch") and styles.hatch != "none")):
            return super().render_lines(crop)
        filters = self.get_line_filters()
        background = self.background_colors[1] if filters else None
        x1, x2 = crop.column_span
        cut = (x1, x2) != (0, self.size.width)
        self.render_line(0)  # draws the picture if it is not drawn yet
        drawn, lines = self._lines, []
        for y in crop.line_range:
            strip = drawn[y] if y < len(drawn) else self.render_line(y)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            lines.append(strip.crop(x1, x2) if cut else strip)
        return lines

    def _split_filters(self) -> tuple[ANSIToTruecolor | None, list]:
        """The app's colour filter when it comes first (else None), and the filters after it."""
        filters = list(super().get_line_filters())
        if filters and isinstance(filters[0], ANSIToTruecolor):
            return filters[0], filters[1:]
        return None, filters

    def get_line_filters(self):
        # The app's first filter turns ANSI colours into truecolour and blends dim text, for
        # every new line: a chart's lines are all new each frame (2-3 ms a frame of a
        # comparison's compositing). Its styles get the same conversion once, in _style.
        return self._split_filters()[1]

    def _converted(self, style: Style) -> Style:
        """`style` as the app's colour filter would make it (render_line set the filter)."""
        return style if self._convert is None else self._convert.truecolor_style(style, self._background)

    def palette(self) -> list[str]:
        variables = self.app.theme_variables
        out: list[Color] = []
        for key in _THEME_KEYS:
            try:
                colour = Color.parse(variables[key])
            except Exception:
                continue
            # themes reuse colours (accent = warning) or nearly: keep lines apart
            if all(_distance(colour, c) >= _CLOSE for c in out):
                out.append(colour)
        for extra in _FALLBACK:
            colour = Color.parse(extra)
            if len(out) < 6 and all(_distance(colour, c) >= _CLOSE for c in out):
                out.append(colour)
        # An ANSI theme's colours are names ("ansi_blue"); rich knows them as "blue".
        return [c.hex.removeprefix("ansi_") for c in out]

    def _style(self, ink: Ink) -> Style:
        style = self._styles.get(ink)
        if style is None:
            pal = self._palette
            fg = pal[ink.fg % len(pal)] if isinstance(ink.fg, int) else ink.fg
            bg = pal[ink.bg % len(pal)] if isinstance(ink.bg, int) else ink.bg
            if bg is not None:  # a coloured cell (heat-map): its own colours, nothing of the surface
                style = Style(color=fg, bgcolor=bg)
            else:
                style = self._surface + Style(color=fg, bold=ink.bold, dim=ink.dim)
            style = self._converted(style)
            self._styles[ink] = style
        return style


def _distance(a: Color, b: Color) -> float:
    return ((a.r - b.r) ** 2 + (a.g - b.g) ** 2 + (a.b - b.b) ** 2) ** 0.5


def make_chart(spec: SeriesSpec, **kwargs) -> Chart:
    widget = Chart(spec, **kwargs)
    widget.add_class("chart")
    return widget
