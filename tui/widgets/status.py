"""The status line (time, speed, fps, run state, seed, preset) and the notes line.

Everything here draws from each runner's `shown` view, never from a lab: the labs live on
the lab thread."""

from __future__ import annotations

import math
import textwrap

from rich.text import Text

from hebblab.format import MISSING, fmt_value
from hebblab.tui.runner import Runner
from hebblab.tui.widgets.text_line import TextLine


def _fmt_ms(ms: float) -> str:
    # ms, s from 10 s, then min past 3 min, where the charts' time axes switch to min too.
    if ms > 180_000:
        return f"{ms / 60_000:.2f} min"
    return f"{ms / 1000:.2f} s" if ms >= 10_000 else f"{ms:.1f} ms"


BEHIND = 0.9  # below this fraction of the set speed the status line says the sim is behind
_preset_params: dict[tuple[type, str], dict] = {}  # (lab class, preset) -> its resolved values


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return a == b


def preset_modified(runner: Runner) -> bool:
    """True when the lab's values (pending ones included) differ from its preset's."""
    shown = runner.shown
    key = (runner.lab_cls, shown.preset_name)
    if key not in _preset_params:
        try:
            _preset_params[key] = runner.lab_cls.resolve_params(shown.preset_name)
        except Exception:  # a preset that no longer resolves: nothing to compare with
            _preset_params[key] = {}
    preset = _preset_params[key]
    values = {**shown.params, **shown.pending}
    return bool(preset) and any(not _same(v, preset.get(k, v)) for k, v in values.items())


def preset_label(runner: Runner) -> str:
    """`lab:preset`, with a `*` when the values were changed from the preset's."""
    return f"{runner.name}:{runner.shown.preset_name}{'*' if preset_modified(runner) else ''}"


def clock_text(runners: list[Runner]) -> str:
    """`t=...` for labs on one clock; each lab's own when a restart (a preset, `g`) split them."""
    times = [r.shown.t_ms for r in runners]
    if len(runners) == 1 or max(times) - min(times) < 1e-9:
        return f"t={_fmt_ms(times[0])}"
    return "  ".join(f"{r.name} t={_fmt_ms(t)}" for r, t in zip(runners, times))


class StatusLine(TextLine):
    """One line: state, biological time (each lab's when their clocks differ), speed,
    frames per second, seed, preset (`*`: values changed from it), the chart page; and when
    the labs cannot keep up: how far behind the set speed they are, or how long the lab
    call in progress has taken."""

    DEFAULT_CSS = """
    StatusLine { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, runners: list[Runner], running: bool, fps: float, pace: float | None = None,
             busy_s: float = 0.0, charts: tuple[int, int] = (1, 1)) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        diverged = any(r.shown.diverged for r in runners)
        if diverged:
            text.append(" DIVERGED ", style="bold reverse red")
        elif running:
            text.append(" ▶ running ", style="bold reverse green")
        else:
            text.append(" ‖ paused ", style="bold reverse")
        first = runners[0]
        text.append(f" {clock_text(runners)}", style="bold")
        text.append(f" · {first.ms_per_frame:g} ms/frame")
        if busy_s:
            text.append(f" · lab busy {busy_s:.1f} s", style="bold yellow")
        elif running and pace is not None and pace < BEHIND:
            text.append(f" · behind: {pace:.0%} of set speed", style="bold yellow")
        if running:
            text.append(f" · {fps:.0f} fps", style="dim")
        text.append(f" · seed {first.shown.rng_seed} · ")
        text.append("  ".join(preset_label(r) for r in runners), style="bold")
        if charts[1] > 1:
            text.append(f" · charts {charts[0]}/{charts[1]} (c)")
        pending = sum(len(r.pending) for r in runners)
        if pending:
            text.append(f"  {pending} change(s) apply on reset (r)", style="yellow")
        self.show_text(text)  # asked every frame and every 0.25 s; fixed height: no relayout


def layout_notes(notes: list[tuple[int, str]], width: int, max_lines: int) -> list[tuple[int, list[str]]]:
    """(note index, its lines) for the notes shown, wrapped at words, within `max_lines`
    lines of `width`.

    `notes` are (lab index, text) in lab order. When all fit wrapped, all are shown in
    full. Otherwise every note first gets one line, taken round-robin over the labs so
    each lab's first note is visible, and the spare lines let notes wrap in that order;
    a shortened note ends in "…", and notes left out are counted on the last line.
    """
    width, max_lines = max(8, width), max(1, max_lines)
    wrapped = [textwrap.wrap(text, width) or [""] for _, text in notes]
    if sum(len(w) for w in wrapped) <= max_lines:
        return list(enumerate(wrapped))
    # priority: round-robin over labs (a lab's first note before another lab's second)
    rank = {}
    seen: dict[int, int] = {}
    for i, (lab, _) in enumerate(notes):
        rank[i] = (seen.get(lab, 0), lab)
        seen[lab] = seen.get(lab, 0) + 1
    order = sorted(range(len(notes)), key=lambda i: rank[i])
    shown = sorted(order[:max_lines])
    alloc = {i: 1 for i in shown}
    spare = max_lines - len(shown)
    for i in order[: len(shown)]:
        extra = min(spare, len(wrapped[i]) - 1)
        alloc[i] += extra
        spare -= extra
    hidden = len(notes) - len(shown)
    out = []
    for i in shown:
        lines = wrapped[i][: alloc[i]]
        if alloc[i] < len(wrapped[i]):
            lines[-1] = lines[-1][: width - 1] + "…"
        out.append((i, lines))
    if hidden and out:
        suffix = f" (+{hidden} more: i)"
        last = out[-1][1][-1]
        out[-1][1][-1] = (last[: width - len(suffix) - 1] + "…" if len(last) + len(suffix) > width else last) + suffix
    return out


class NotesLine(TextLine):
    """The labs' plain-language notes (why nothing learns, divergence...).

    Wrapped into up to `TALL_LINES` lines on a tall terminal (`SHORT_LINES` on a short
    one); what does not fit is shortened with an ellipsis, never a lab's only note
    (the info screen, key i, shows every note in full). The height it takes grows at once
    and shrinks only once the notes have been shorter for a while (see `_reserve`).
    """

    TALL_LINES, SHORT_LINES, TALL_FROM = 4, 2, 32
    _lines = -1  # lines shown now
    _shorter = 0  # views in a row that needed fewer lines
    SHRINK_AFTER = 40  # views: about 2 s at the default 20 fps

    DEFAULT_CSS = """
    NotesLine { height: auto; max-height: 4; }
    """

    def show(self, runners: list[Runner], hold: bool = False) -> None:
        """hold: the labs are running (a shorter set of notes keeps the height a while)."""
        notes, styles = [], []
        for k, r in enumerate(runners):
            shown = r.shown
            lab_notes = sorted(shown.notes, key=lambda note: note != shown.diverged)  # a divergence first
            for note in lab_notes:
                prefix = f"{r.name}: " if len(runners) > 1 else ""
                notes.append((k, prefix + note))
                styles.append("bold red" if note == shown.diverged else "italic")
        width = self.content_size.width or max(8, self.app.size.width - 2)
        max_lines = self.TALL_LINES if self.app.size.height >= self.TALL_FROM else self.SHORT_LINES
        text = Text(no_wrap=True, overflow="crop")
        first = True
        for i, lines in layout_notes(notes, width, max_lines) if notes else []:
            for line in lines:
                text.append(line if first else "\n" + line, style=styles[i])
                first = False
        lines = self._reserve(text.plain.count("\n") + 1 if notes else 0, max_lines, hold)
        if lines:  # blank rows keep the reserved height
            text.append("\n" * (lines - 1 if not notes else lines - text.plain.count("\n") - 1))
        # Notes carry live numbers and change most frames: relayout only when their height
        # does (a relayout redraws the whole screen: 30-200 ms with a comparison's charts).
        self.show_text(text, layout=lines != self._lines)
        self._lines = lines
        self.display = lines > 0

    def _reserve(self, needed: int, max_lines: int, hold: bool) -> int:
        """Lines to show: grow at once; while running, shrink only after SHRINK_AFTER shorter
        views in a row, so a note that comes and goes every few frames does not move the
        charts each time (paused, a step or a reset shows the notes as they are)."""
        if not hold or needed >= self._lines or self._lines > max_lines:
            self._shorter = 0
            return needed
        self._shorter += 1
        return needed if self._shorter >= self.SHRINK_AFTER else self._lines


def _fmt_value(v) -> str:
    return fmt_value(v, digits=4)  # the one formatter; 4 digits fit the status line


def readout_units(runner: Runner) -> list[Text]:
    """One unbreakable "name: value unit" piece per readout, in the lab's declared order."""
    shown = runner.shown
    values = {"readouts failed": shown.readouts_error} if shown.readouts_error else shown.readouts
    specs = runner.lab_cls.readout_specs
    units = {spec.name: spec.unit for spec in specs}
    order = [spec.name for spec in specs if spec.name in values]
    order += [name for name in values if name not in order]
    out = []
    for name in order:
        shown = _fmt_value(values[name])
        unit = units.get(name, "")
        piece = Text(no_wrap=True)
        piece.append(f"{name}: ", style="dim")
        piece.append(shown, style="bold")
        if unit and shown != MISSING:
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


class ReadoutsLine(TextLine):
    """The labs' readouts (named scalars with units), every frame, most important first."""

    DEFAULT_CSS = """
    ReadoutsLine { height: 2; }
    """

    def show(self, runners: list[Runner]) -> None:
        if not self.readouts_changed(runners):
            return
        labs = [(r.name if len(runners) > 1 else "", readout_units(r)) for r in runners]
        size = self.content_size
        width = size.width if size.width > 0 else 80
        lines = size.height if size.height > 0 else 1
        self.show_text(Text("\n", no_wrap=True).join(pack_readouts(labs, width, lines)))  # fixed height
