"""Shown instead of the lab while the terminal is below the 80x24 floor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from hebblab.tui.screens.fresh_resize import FreshResize

MIN_WIDTH, MIN_HEIGHT = 80, 24


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(FreshResize, Screen):
    BINDINGS = [Binding("q", "app.quit", "Quit", id="small.quit", tooltip="Quit hebblab")]

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen > Static { width: auto; height: auto; text-align: center; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="too-small-message")

    def on_mount(self) -> None:
        self.show_size()

    def on_resize(self) -> None:
        self.show_size()

    def show_size(self) -> None:
        w, h = self.app.size
        self.query_one(Static).update(
            f"terminal too small, need {MIN_WIDTH}x{MIN_HEIGHT}\n(now {w}x{h}; enlarge it, or q to quit)")
