"""Every theme the app offers draws hebblab's text at WCAG AA contrast (4.5:1 for body
text): notes, parameter help, preset note, status line, readouts."""

from __future__ import annotations

import pytest
from textual.color import Color

from hebblab.tui.app import HebblabApp
from hebblab.tui.contrast import AA_BODY, contrast, readable

TEXT = ("#notes", "#param-help", "#preset-note", "#status", "#readouts")


def test_contrast_matches_wcag_reference_values():
    # WCAG 2: black on white is 21:1; #777777 on white is the classic just-below-AA 4.48:1.
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast(Color.parse("#777777"), Color(255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast(Color.parse("#767676"), Color(255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def test_readable_keeps_good_colours_and_fixes_bad_ones():
    white = Color(255, 255, 255)
    assert readable(Color(0, 0, 0), white) == Color(0, 0, 0)
    orange = Color.parse("#fea62b")
    fixed = readable(orange, white)
    assert contrast(orange, white) < AA_BODY <= contrast(fixed, white)
    assert fixed.r > fixed.b  # still orange-ish, only darker


async def test_every_theme_draws_hebblab_text_at_aa_contrast():
    app = HebblabApp("chapter", autoplay=False)
    failures, checked = [], 0
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")  # notes and readouts have text
        for theme in sorted(app.available_themes):
            if theme.startswith("ansi"):  # the terminal's own palette decides: nothing to compute
                continue
            app.theme = theme
            await pilot.pause(0.05)
            for selector in TEXT:
                style = app.screen.query_one(selector).rich_style
                fg, bg = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
                ratio = contrast(fg, bg)
                checked += 1
                if ratio < AA_BODY:
                    failures.append(f"{theme} {selector}: {ratio:.2f}")
    assert checked >= 5 * 15
    assert failures == []


async def test_ansi_themes_still_load():
    app = HebblabApp("chapter", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for theme in ("ansi-dark", "ansi-light"):
            if theme in app.available_themes:
                app.theme = theme
                await pilot.pause(0.05)
                assert app.theme_variables["note-text"]
