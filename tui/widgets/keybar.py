"""The key bar: Textual's footer, fitted to the terminal's width.

Textual's footer shows every key in binding order and cuts off what does not fit, so at
80 columns Quit and Help fell off the end. Here run/pause, quit and help are always
shown; when not every key fits, descriptions shorten first, then the least needed keys
drop out (the help screen, ?, lists them all).
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ESSENTIAL = ("toggle_run", "quit", "help", "switch_side")  # shown at every size (tab A/B: a comparison's)
# Kept in this order while room lasts (after the essentials); keys not named here come last.
# Compare (b) and Exercises (x) are how a student answers the chapter's questions: on the bar
# from 80 and 100 columns (at 80, Run/Pause shortens to Run to make room for b: TIGHT).
PRIORITY = ("step_frame", "reset", "toggle_listing", "next_charts", "pick_preset", "compare", "exercises",
            "maximize_chart", "faster", "freeze", "info", "pick_lab")
SHORT = {"More charts": "Charts", "Grow/listing": "Listing", "Presets": "Preset", "Maximize": "Max"}
TIGHT = {"Run/Pause": "Run"}  # only when that keeps a key up to Compare on the bar (b at 80 columns)
KEY_GAP = 1  # the compact footer's right margin after each key
PALETTE_W = 12  # "^p Commands" docked right, with its rule


def _action(key: FooterKey) -> str:
    return key.action.rpartition(".")[2]


def fit_keys(keys: list[tuple[str, str, str]], width: int) -> list[tuple[str, str]]:
    """(action, description shown) of the keys that fit `width` cells, in their order.

    `keys` are (action, key display, description). Essentials always stay; the rest are
    kept in PRIORITY order while they fit, with short descriptions when not all fit."""
    def cost(display: str, description: str) -> int:
        return len(display) + (1 + len(description) if description else 0) + KEY_GAP

    if sum(cost(d, text) for _, d, text in keys) <= width:
        return [(a, text) for a, _, text in keys]
    rank = {a: i for i, a in enumerate(PRIORITY)}

    def fit(shorter: dict[str, str]) -> list[tuple[str, str]]:
        short = [(a, d, shorter.get(text, text)) for a, d, text in keys]
        order = sorted(range(len(short)), key=lambda i: (short[i][0] not in ESSENTIAL,
                                                         rank.get(short[i][0], len(rank)), i))
        kept, used = set(), 0
        for i in order:
            a, d, text = short[i]
            c = cost(d, text)
            if a in ESSENTIAL or used + c <= width:
                kept.add(i)
                used += c
        return [(short[i][0], short[i][2]) for i in range(len(short)) if i in kept]

    fitted, tight = fit(SHORT), fit({**SHORT, **TIGHT})
    gained = {a for a, _ in tight} - {a for a, _ in fitted}
    return tight if any(rank.get(a, len(rank)) <= rank["compare"] for a in gained) else fitted


class KeyBar(Footer):
    """The footer, with run/pause, quit and help visible at every width."""

    _fitted_width = 0

    def compose(self):
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        others = [w for w in widgets if w not in keys]
        width = self.size.width or self.app.size.width
        self._fitted_width = width
        if any(w.has_class("-command-palette") for w in others):
            width -= PALETTE_W
        fitted = dict(fit_keys([(_action(k), k.key_display, k.description) for k in keys], width))
        for key in keys:
            action = _action(key)
            if action in fitted:
                key.description = fitted[action]
                yield key
        yield from others

    def on_resize(self) -> None:
        if self.size.width != self._fitted_width and self._bindings_ready:
            self.call_after_refresh(self.recompose)
