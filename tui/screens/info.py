"""The info screen (i): everything the one-line strips shorten, in full, for each lab shown.

Title and summary, the preset in use with its whole description, every note (the notes
line truncates them on small terminals), and every readout with its value, unit and
meaning (the readouts line keeps only what fits). Scrolls; esc, q or i closes it.
"""

from __future__ import annotations

from typing import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Static

from hebblab.tui.screens.scroll_modal import ScrollModal

from hebblab.tui.runner import Runner
from hebblab.format import with_unit
from hebblab.tui.widgets.status import _fmt_value


def lab_info(runner: Runner) -> Group:
    lab, shown = runner.lab_cls, runner.shown  # the class and the latest view: never the live lab
    head = Text()
    head.append(lab.name, style="bold reverse")
    head.append(f"  {lab.title or lab.summary}\n", style="bold")
    if lab.summary and lab.summary != lab.title:
        head.append(lab.summary + "\n")
    preset = lab.preset(shown.preset_name)
    head.append("\npreset ", style="dim")
    head.append(preset.name, style="bold")
    head.append(f": {preset.description}\n" if preset.description else "\n")
    if shown.notes:
        head.append("\nnotes\n", style="dim")
        for note in shown.notes:
            head.append("• " + note + "\n", style="bold red" if note == shown.diverged else "")
    values = shown.readouts
    if shown.readouts_error:  # a lab bug must not close the screen
        head.append(f"\nreadouts failed: {shown.readouts_error}\n", style="red")
    table = Table(box=None, show_header=True, header_style="dim", expand=True, pad_edge=False)
    table.add_column("readout", no_wrap=True, style="bold")
    table.add_column("value", no_wrap=True, justify="right")
    table.add_column("meaning", ratio=1)
    for spec in lab.readout_specs:
        if spec.name in values:
            shown = _fmt_value(values[spec.name])
            table.add_row(spec.name, with_unit(shown, spec.unit), Text(spec.help, style="dim"))
    return Group(head, table, Text(""))


class InfoScreen(ScrollModal):
    BINDINGS = [
        Binding("escape,q,i", "app.pop_screen", "Close info", id="info.close",
                tooltip="Close this screen"),
    ]

    def __init__(self, runners: list[Runner]):
        super().__init__()
        self.runners = runners

    def body(self) -> Iterable[Widget]:
        yield Static(self.heading("lab info", "esc, q or i"))
        for runner in self.runners:
            yield Static(lab_info(runner), classes="lab-info")
