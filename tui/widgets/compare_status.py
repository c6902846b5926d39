"""The status line of a comparison: a "compare" badge with the pair's name (or "copy"),
the parameters B changes, then the usual line (time, speed, fps, seed, preset)."""

from __future__ import annotations

from rich.text import Text

from hebblab.tui.runner import Runner
from hebblab.tui.widgets.status import StatusLine


class CompareStatusLine(StatusLine):
    def __init__(self, pair: str | None, **kwargs):
        super().__init__(**kwargs)
        self.pair = pair
        self._badge = Text()

    def show(self, runners: list[Runner], running: bool, fps: float, pace: float | None = None,
             busy_s: float = 0.0, **more) -> None:
        a, b = runners
        badge = Text(no_wrap=True)
        badge.append(f" compare {self.pair or 'copy'} ", style="bold reverse magenta")
        differ = [s.name for s in a.specs if a.value(s.name) != b.value(s.name)]
        if differ:
            badge.append(" B: " + ", ".join(f"{n}={s.format(b.value(n))}" for n in differ[:3]
                                            for s in (a.lab_cls.spec(n),))
                         + (" …" if len(differ) > 3 else ""), style="magenta")
        else:
            badge.append(" A = B", style="dim")
        if b.shown.diverged and not a.shown.diverged:
            badge.append(" B DIVERGED", style="bold red")
        badge.append(" ")
        if badge != self._badge:
            self._badge = badge
            self._shown = None  # the line below is cached without the badge: redraw it
        # The single-lab line for A (both sides share time, speed, seed and preset)...
        super().show([a, b] if a.shown.diverged or b.shown.diverged else [a], running, fps, pace, busy_s, **more)

    def update(self, content="", *, layout: bool = True) -> None:
        # ...after the badge.
        if isinstance(content, Text):
            content = Text.assemble(self._badge, content, no_wrap=True, overflow="ellipsis")
        super().update(content, layout=layout)
