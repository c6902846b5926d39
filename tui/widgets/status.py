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


def readout_units(runner: Runner) -> list[Text]:
    """One unbreakable "name: value unit" piece per readout, in the lab's declared order."""
    try:
        values = runner.lab.readouts()
    except Exception as err:  # a lab bug must not stop the view
        values = {"readouts failed": f"{type(err).__name__}"}
    units = {spec.name: spec.unit for spec in runner.lab.readout_specs}
    order = [spec.name for spec in runner.lab.readout_specs if spec.name in values]
    order += [name for name in values if name not in order]
    out = []
    for name in order:
        shown = _fmt_value(values[name])
        unit = units.get(name, "")
        piece = Text(no_wrap=True)
        piece.append(f"{name}: ", style="dim")
        piece.append(shown, style="bold")
        if unit and shown != "—":
            piece.append(f" {unit}")
        out.append(piece)
    return out


def pack_readouts(labs: list[tuple[str, list[Text]]], width: int, lines: int) -> list[Text]:
    """Lay the labs' readouts out in `lines` lines of `width` cells, never splitting one.

    Each lab gets its own block of lines (or an equal share of the one line), filled in
    the lab's declared order (its most important readouts first); what does not fit is
    counted in a dim "+k (i)" (the info screen, key i, lists every readout).
    """
    width, lines = max(1, width), max(1, lines)
    n = len(labs)
    if lines >= n:
        blocks = [(lines // n + (1 if k < lines % n else 0), width) for k in range(n)]
    else:  # fewer lines than labs: the labs share each line side by side
        per_line = -(-n // lines)
        blocks = [(1, width // per_line - (2 if per_line > 1 else 0))] * n
    out: list[Text] = []
    row: Text | None = None
    for k, ((prefix, pieces), (n_lines, budget)) in enumerate(zip(labs, blocks)):
        block = [Text(no_wrap=True)]
        if prefix:
            block[0].append(f"{prefix}: ", style="bold")
        for i, piece in enumerate(pieces):
            gap = 2 if block[-1].cell_len and not block[-1].plain.endswith(": ") else 0
            rest = len(pieces) - i - 1
            more = len(f"  +{rest} (i)") if rest else 0  # room kept for the overflow count
            if block[-1].cell_len + gap + piece.cell_len + more <= budget:
                block[-1].append(" " * gap)
                block[-1].append_text(piece)
                continue
            if len(block) < n_lines and piece.cell_len <= budget:
                block.append(Text(no_wrap=True))
                block[-1].append("  " if prefix else "")
                block[-1].append_text(piece)
                continue
            more_text = f"  +{len(pieces) - i} (i)"
            if block[-1].cell_len + len(more_text) <= budget:
                block[-1].append(more_text, style="dim")
            break
        if lines >= n:
            out.extend(block)
        else:  # side by side on shared lines
            cell = block[0]
            cell.truncate(budget, pad=True)
            if row is None or (k % -(-n // lines)) == 0:
                row = Text(no_wrap=True)
                out.append(row)
            else:
                row.append(" │ ", style="dim")
            row.append_text(cell)
    return out[:lines]


class ReadoutsLine(Static):
    """The labs' readouts (named scalars with units), every frame, most important first."""

    DEFAULT_CSS = """
    ReadoutsLine { height: 2; }
    """

    def show(self, runners: list[Runner]) -> None:
        labs = [(r.lab.name if len(runners) > 1 else "", readout_units(r)) for r in runners]
        size = self.content_size
        width = size.width if size.width > 0 else 80
        lines = size.height if size.height > 0 else 1
        packed = pack_readouts(labs, width, lines)
        self.update(Text("\n", no_wrap=True).join(packed), layout=False)  # fixed height: no relayout
