"""The info screen (i): everything the one-line strips shorten, in full, for each lab shown.

Title and summary, the preset in use with its whole description, every note (the notes
line truncates them on small terminals), and every readout with its value, unit and
meaning (the readouts line keeps only what fits). Scrolls; esc, q or i closes it.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.runner import Runner
from tui.widgets.status import _fmt_value


def lab_info(runner: Runner) -> Group:
    lab = runner.lab
    head = Text()
    head.append(lab.name, style="bold reverse")
    head.append(f"  {lab.title or lab.summary}\n", style="bold")
    if lab.summary and lab.summary != lab.title:
        head.append(lab.summary + "\n")
    preset = lab.preset(lab.preset_name)
    head.append("\npreset ", style="dim")
    head.append(preset.name, style="bold")
    head.append(f": {preset.description}\n" if preset.description else "\n")
    notes = lab.notes()
    if notes:
        head.append("\nnotes\n", style="dim")
        for note in notes:
            head.append("• " + note + "\n", style="bold red" if note == lab.diverged else "")
    try:
        values = lab.readouts()
    except Exception as err:  # a lab bug must not close the screen
        values = {}
        head.append(f"\nreadouts failed: {type(err).__name__}: {err}\n", style="red")
    table = Table(box=None, show_header=True, header_style="dim", expand=True, pad_edge=False)
    table.add_column("readout", no_wrap=True, style="bold")
    table.add_column("value", no_wrap=True, justify="right")
    table.add_column("meaning", ratio=1)
    for spec in lab.readout_specs:
        if spec.name in values:
            shown = _fmt_value(values[spec.name])
            unit = f" {spec.unit}" if spec.unit and shown != "—" else ""
            table.add_row(spec.name, shown + unit, Text(spec.help, style="dim"))
    return Group(head, table, Text(""))


class InfoScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,i", "app.pop_screen", "Close info", id="info.close",
                tooltip="Close this screen"),
    ]

    DEFAULT_CSS = """
    InfoScreen { align: center middle; }
    InfoScreen > VerticalScroll { width: 95%; max-width: 110; height: 90%;
                                  border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, runners: list[Runner]):
        super().__init__()
        self.runners = runners

    def compose(self) -> ComposeResult:
        top = Text()
        top.append("lab info", style="bold")
        top.append("  (esc, q or i closes; up/down scroll)\n", style="dim")
        with VerticalScroll() as vs:
            vs.can_focus = True
            yield Static(top)
            for runner in self.runners:
                yield Static(lab_info(runner), classes="lab-info")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
