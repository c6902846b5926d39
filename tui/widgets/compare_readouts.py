"""The readouts of a comparison: per readout A's value, B's, and B - A with the relative
change, most important first, packed like the single lab's (key i lists every readout)."""

from __future__ import annotations

from rich.text import Text

from hebblab.compare_view import metric_rows
from hebblab.format import MISSING, fmt_value
from hebblab.tui.runner import Runner
from hebblab.tui.widgets.status import pack_readouts
from hebblab.tui.widgets.text_line import TextLine


def _fmt(v) -> str:
    return fmt_value(v, digits=4)


def compare_pieces(a: Runner, b: Runner) -> list[Text]:
    """One unbreakable "name A x B y Δ d (r%) unit" piece per numeric readout."""
    if a.shown.readouts_error or b.shown.readouts_error:
        piece = Text("readouts failed: ", style="dim")
        piece.append(a.shown.readouts_error or b.shown.readouts_error, style="bold red")
        return [piece]
    units = {spec.name: spec.unit for spec in a.lab_cls.readout_specs}
    out = []
    for name, va, vb, d, rel in metric_rows(a.shown.readouts, b.shown.readouts):
        piece = Text(no_wrap=True)
        piece.append(f"{name} ", style="dim")
        piece.append("A ", style="dim")
        piece.append(_fmt(va), style="bold")
        piece.append(" B ", style="dim")
        piece.append(_fmt(vb), style="bold")
        piece.append(" Δ ", style="dim")
        if d is None:
            piece.append(MISSING)
        else:
            piece.append(("+" if d > 0 else "") + _fmt(d), style="bold magenta" if d else "")
            if rel is not None and d:
                piece.append(f" ({rel:+.0%})", style="magenta")
        unit = units.get(name, "")
        if unit:
            piece.append(f" {unit}", style="dim")
        out.append(piece)
    return out


class CompareReadouts(TextLine):
    DEFAULT_CSS = """
    CompareReadouts { height: 2; }
    """

    def show(self, runners: list[Runner]) -> None:
        if not self.readouts_changed(runners):
            return
        a, b = runners
        size = self.content_size
        width = size.width if size.width > 0 else 80
        lines = size.height if size.height > 0 else 1
        packed = pack_readouts([("", compare_pieces(a, b))], width, lines)
        self.show_text(Text("\n", no_wrap=True).join(packed))
