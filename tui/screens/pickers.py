"""Modal pickers: a preset of the current lab (p) and a lab (l). Enter picks, escape cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from hebblab.sim.labs.base import Lab
from hebblab.tui.screens.fresh_resize import FreshResize

CHAPTER = "chapter"  # the lab picker's entry for the chapter view (lif beside hebb)


class Picker(FreshResize, ModalScreen[str | None]):
    """A titled option list; dismisses with the chosen option's id (None on escape)."""

    BINDINGS = [
        Binding("escape,q", "dismiss_none", "Cancel", id="picker.cancel",
                tooltip="Close without choosing"),
    ]

    DEFAULT_CSS = """
    Picker { align: center middle; }
    Picker > Vertical { width: 90%; max-width: 100; height: auto; max-height: 90%;
                        border: round $accent; background: $surface; padding: 0 1; }
    Picker OptionList { height: auto; max-height: 20; border: none; }
    Picker Label { width: 1fr; color: $text-muted; }
    """

    def __init__(self, title: str, options: list[tuple[str, str]], current: str | None = None):
        super().__init__()
        self.picker_title = title
        self.options = options
        self.current = current
        self.chosen = False  # dismissed already (two enters in one write must not dismiss twice)
        self._result_on_resume: tuple = ()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.picker_title + "  (enter: choose, esc: cancel)")
            items = []
            for key, description in self.options:
                text = Text()
                text.append(key, style="bold")
                if key == self.current:
                    text.append("  (current)", style="italic")
                text.append("\n" + description, style="dim")
                items.append(Option(text, id=key))
            yield OptionList(*items)

    def on_mount(self) -> None:
        # Already being removed (a key in the same write closed it before it mounted):
        # its children are gone, nothing to focus.
        found = self.query(OptionList)
        if not found:
            return
        ol = found.first()
        ids = [k for k, _ in self.options]
        if self.current in ids:
            ol.highlighted = ids.index(self.current)
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._dismiss_once(event.option.id)

    def action_dismiss_none(self) -> None:
        self._dismiss_once(None)

    def _dismiss_once(self, result: str | None) -> None:
        # Textual's dismiss pops whatever is on top: a second one (two enters in one write)
        # would pop the lab screen, one while covered (the too-small notice came up
        # meanwhile) the notice. Covered, the choice waits until this picker is on top.
        if not self.is_active:
            self._result_on_resume = (result,)
            return
        if not self.chosen:
            self.chosen = True
            self.dismiss(result)

    def on_screen_resume(self) -> None:
        if self._result_on_resume and self.is_active:
            (result,), self._result_on_resume = self._result_on_resume, ()
            self._dismiss_once(result)


class PresetPicker(Picker):
    def __init__(self, lab: type[Lab], current: str | None):
        super().__init__(f"Preset for {lab.name}", [(p.name, p.description) for p in lab.presets], current)


class LabPicker(Picker):
    def __init__(self, labs: dict[str, type[Lab]], current: str | None, chapter: bool = True):
        options = []
        if chapter:
            options.append((CHAPTER, "The chapter's code lab: the LIF membrane trace beside the "
                                     "Hebbian weight heat-map, both live"))
        options += [(name, f"{lab.title}: {lab.summary}" if lab.title else lab.summary)
                    for name, lab in labs.items()]
        super().__init__("Open a lab", options, current)
