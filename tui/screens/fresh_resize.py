"""A mixin for every screen of the app: a Resize that is no longer the terminal's size is
dropped.

Textual 8.2.8 resizes the screens under the current one directly, and a screen whose size
changed posts itself a Resize. With an older Resize still in its queue, the two re-post
each other forever: seen when the terminal was resized fast while another screen was on
top (the too-small notice coming and going), the app then spun at full CPU and handled no
input. The terminal's size is the app's: a screen never needs any other.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen


class FreshResize:
    async def _on_resize(self, event: events.Resize) -> None:
        if event.size != self.app.size:
            event.stop()
            event.prevent_default()  # not Textual's own Screen._on_resize either


class DefaultScreen(FreshResize, Screen):
    """The blank screen at the bottom of the stack, under the lab."""
