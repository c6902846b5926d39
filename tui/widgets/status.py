"""The status line (time, speed, fps, run state, seed, preset) and the notes line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.runner import Runner


def _fmt_ms(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 10_000 else f"{ms:.1f} ms"


class StatusLine(Static):
    """One line: state, biological time, speed, frames per second, seed, preset."""

    DEFAULT_CSS = """
    StatusLine { height: 1; }
    """

    def show(self, runners: list[Runner], running: bool, fps: float) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        diverged = any(r.lab.diverged for r in runners)
        if diverged:
            text.append(" DIVERGED ", style="bold reverse red")
        elif running:
            text.append(" ▶ running ", style="bold reverse green")
        else:
            text.append(" ‖ paused ", style="bold reverse")
        first = runners[0]
        text.append(f" t={_fmt_ms(first.lab.t_ms)}", style="bold")
        text.append(f" · {first.ms_per_frame:g} ms/frame")
        if running:
            text.append(f" · {fps:.0f} fps", style="dim")
        text.append(f" · seed {first.lab.rng_seed} · ")
        text.append("  ".join(f"{r.lab.name}:{r.lab.preset_name}" for r in runners), style="bold")
        pending = sum(len(r.lab.pending) for r in runners)
        if pending:
            text.append(f"  {pending} change(s) apply on reset (r)", style="yellow")
        self.update(text, layout=False)  # fixed height: no relayout every frame


class NotesLine(Static):
    """The labs' plain-language notes (why nothing learns, divergence...)."""

    DEFAULT_CSS = """
    NotesLine { height: auto; max-height: 3; }
    """

    def show(self, runners: list[Runner]) -> None:
        text = Text()
        for r in runners:
            for note in r.lab.notes():
                if text:
                    text.append("\n")
                style = "bold red" if note == r.lab.diverged else "italic"
                prefix = f"{r.lab.name}: " if len(runners) > 1 else ""
                text.append(prefix + note, style=style)
        self.update(text)
        self.display = bool(text)


def _fmt_value(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return str(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if f != f or f in (float("inf"), float("-inf")):
        return "—"
    return str(int(f)) if f == int(f) and abs(f) < 1e9 else f"{f:.4g}"


class ReadoutsLine(Static):
    """The labs' readouts (named scalars with units), every frame, in declaration order."""

    DEFAULT_CSS = """
    ReadoutsLine { height: 2; }
    """

    def show(self, runners: list[Runner]) -> None:
        text = Text()
        for r in runners:
            try:
                values = r.lab.readouts()
            except Exception as err:  # a lab bug must not stop the view
                values = {"readouts failed": f"{type(err).__name__}"}
            if len(runners) > 1:
                text.append(f"{r.lab.name}: ", style="bold")
            units = {spec.name: spec.unit for spec in r.lab.readout_specs}
            for name, value in values.items():
                shown = _fmt_value(value)
                text.append(name, style="dim")
                text.append(f" {shown}", style="bold")
                unit = units.get(name, "")
                text.append(f" {unit}" if unit and shown != "—" else "")
                text.append("  ")
        self.update(text, layout=False)  # fixed height: no relayout every frame
