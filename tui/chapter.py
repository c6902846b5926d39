"""The chapter view: the book's code lab as it draws it, lif and hebb side by side, live.

The LIF membrane trace beside the Hebbian weight heat-map. The hebb side starts on a
preset whose weights visibly grow within seconds (`grow`); `g` switches to the
listing-faithful `chapter` preset (which almost never learns: docs/science.md, hebb) and
back, and the line above the status bar explains the preset in use. The only
lab-specific code in the app is this choice of labs, presets and charts.
"""

from __future__ import annotations

from typing import Any, Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from hebblab.sim.labs import get_lab
from hebblab.tui.runner import Runner
from hebblab.tui.screens.lab_screen import LabScreen, Pane

GROWING_PRESET = "grow"
LISTING_PRESET = "chapter"


def first_series(lab_cls, kind: str) -> tuple[str, ...]:
    """The name of the lab's first series of a kind (empty if it has none)."""
    for spec in lab_cls.series_specs:
        if spec.kind == kind:
            return (spec.name,)
    return ()


class ChapterScreen(LabScreen):
    exercises = ("ex1-tau40", "ex2-inhibitory", "ex3-sigmoid")  # the chapter's own, first in the list (x)
    BINDINGS = [
        Binding("g", "toggle_listing", "Grow/listing", id="chapter.listing",
                tooltip="Switch the Hebbian network between the growing preset and the "
                        "listing-faithful `chapter` preset (which rarely learns)"),
    ]

    def __init__(self, seed: int = 0, fps: float = 20.0, autoplay: bool = True,
                 hebb_preset: str | None = None, overrides: Mapping[str, Any] | None = None,
                 sync: bool | None = None):
        lif_cls, hebb_cls = get_lab("lif"), get_lab("hebb")
        preset_names = [p.name for p in hebb_cls.presets]
        default = GROWING_PRESET if GROWING_PRESET in preset_names else None
        sync = not autoplay if sync is None else sync
        lif = Runner(lif_cls, seed=seed, fps=fps, build=sync)
        hebb = Runner(hebb_cls, preset=hebb_preset or default, seed=seed, overrides=overrides, fps=fps,
                      build=sync)
        panes = [Pane(lif, first_series(lif_cls, "trace")), Pane(hebb, first_series(hebb_cls, "matrix"))]
        super().__init__(panes, title="the chapter: a LIF neuron and a Hebbian network",
                         fps=fps, autoplay=autoplay,
                         extra_help="Chapter view: the LIF neuron (membrane trace) and the 2x2 Hebbian "
                                    "network (weight heat-map) run together, live. g switches the network between "
                                    f"`{GROWING_PRESET}` (weights grow) and the listing's own numbers "
                                    f"(`{LISTING_PRESET}`, rarely learns). l opens a single lab with all its charts. "
                                    "B opens the chapter's exercises side by side (lif ex1, hebb ex2 and ex3: "
                                    "A beside B on the same input); b compares the selected lab with a copy.",
                         side_by_side=True, sync=sync)
        self.hebb = hebb

    def note_strips(self) -> ComposeResult:
        yield from super().note_strips()
        self.preset_note = Static(id="preset-note")
        yield self.preset_note

    def on_mount(self) -> None:  # Textual calls LabScreen.on_mount too, after this
        self.show_preset_note()

    def show_preset_note(self) -> None:
        preset = self.hebb.lab_cls.preset(self.hebb.shown.preset_name)
        self.preset_note.update(f"hebb preset `{preset.name}` (g switches): {preset.description}")

    def load_preset(self, runner: Runner, name: str) -> None:
        super().load_preset(runner, name)
        self.show_preset_note()

    def action_toggle_listing(self) -> None:
        names = [p.name for p in self.hebb.lab_cls.presets]
        target = LISTING_PRESET if self.hebb.shown.preset_name != LISTING_PRESET else GROWING_PRESET
        if target not in names:
            target = names[0]
        self.load_preset(self.hebb, target)
