"""Readable text colours: WCAG 2 contrast, and a theme colour nudged until it reads.

Some themes' warning colour is made for dark backgrounds: Textual's light theme draws the
lab's notes orange on light grey at 1.5:1, unreadable on a projector. WCAG AA asks 4.5:1
for body text. `readable` keeps a colour's hue and moves it towards black (on a light
background) or white (on a dark one) just far enough.
"""

from __future__ import annotations

from textual.color import Color

AA_BODY = 4.5


def luminance(c: Color) -> float:
    """WCAG 2 relative luminance of an opaque colour."""
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(fg: Color, bg: Color, minimum: float = AA_BODY) -> Color:
    """`fg` (blended over `bg` if translucent), moved towards black or white until its
    contrast with `bg` is at least `minimum` (unchanged if it already is)."""
    fg = bg + fg
    if contrast(fg, bg) >= minimum:
        return fg
    target = Color(0, 0, 0) if luminance(bg) > 0.18 else Color(255, 255, 255)
    for step in range(1, 21):
        moved = fg.blend(target, step / 20)
        if contrast(moved, bg) >= minimum:
            return moved
    return target
