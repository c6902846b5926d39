"""A centred, scrollable modal page (help, lab info): one frame, one focus rule."""

from __future__ import annotations

from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget

from hebblab.tui.screens.fresh_resize import FreshResize


class ScrollModal(FreshResize, ModalScreen[None]):
    """Subclasses yield their content from `body()`; the scroll frame takes focus so
    up/down scroll it at once."""

    DEFAULT_CSS = """
    ScrollModal { align: center middle; }
    ScrollModal > VerticalScroll { width: 95%; max-width: 110; height: 90%;
                                   border: round $accent; background: $surface; padding: 0 1; }
    """

    @staticmethod
    def heading(title: str, close_keys: str) -> Text:
        top = Text()
        top.append(title, style="bold")
        top.append(f"  ({close_keys} closes; up/down scroll)\n", style="dim")
        return top

    def body(self) -> Iterable[Widget]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with VerticalScroll() as vs:
            vs.can_focus = True
            yield from self.body()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
