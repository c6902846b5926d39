"""Notes wrap into the room a tall terminal has (each lab's first note always visible), and
the info screen (i) shows every note, the preset's description and every readout in full."""

from __future__ import annotations

from hebblab.tui.app import HebblabApp
from hebblab.tui.screens.help import HelpScreen
from hebblab.tui.screens.info import InfoScreen
from hebblab.tui.widgets.status import NotesLine, layout_notes

LONG = "word " * 30  # 150 characters


def test_notes_wrap_in_full_when_they_fit():
    placed = layout_notes([(0, LONG.strip()), (0, "short")], width=60, max_lines=4)
    assert [i for i, _ in placed] == [0, 1]
    assert " ".join(placed[0][1]) == LONG.strip() and len(placed[0][1]) == 3  # wrapped, not cut
    assert all(len(line) <= 60 for _, lines in placed for line in lines)


def test_notes_shortened_fairly_when_they_do_not_fit():
    notes = [(0, LONG.strip()), (0, "lif second " + LONG), (0, "lif third"), (1, "hebb first " + LONG)]
    placed = layout_notes(notes, width=60, max_lines=2)
    assert [i for i, _ in placed] == [0, 3]  # each lab's first note, in lab order
    assert all(len(lines) == 1 and len(lines[0]) <= 60 for _, lines in placed)
    assert placed[0][1][0].endswith("…") and placed[1][1][0].endswith("(+2 more: i)")
    placed = layout_notes(notes, width=60, max_lines=4)
    assert len(placed) == 4 and sum(len(lines) for _, lines in placed) == 4


async def test_tall_terminal_shows_more_note_lines_than_a_short_one():
    app = HebblabApp("lif", seed=1, autoplay=False)
    async with app.run_test(size=(100, 40)) as pilot:
        for _ in range(60):
            await pilot.press("n")
        await pilot.pause()
        notes = app.screen.runners[0].lab.notes()
        assert len(notes) >= 2
        tall = app.screen.query_one(NotesLine)
        tall_lines = [tall.render_line(y).text.strip() for y in range(tall.size.height)]
        assert not any(line.endswith("…") for line in tall_lines[:-1])
        await pilot.resize_terminal(100, 24)
        await pilot.pause()
        await pilot.pause()
        assert tall.size.height <= 2 < len(tall_lines)  # short: one line per note at most two
        words = " ".join(tall_lines).split()
        assert notes[0].split()[-1] in words  # the first note's last word: shown in full


async def test_info_key_shows_full_notes_preset_and_readouts():
    app = HebblabApp("chapter", seed=1, autoplay=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(30):
            await pilot.press("n")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InfoScreen)
        text = " ".join(w.render_line(y).text for w in app.screen.query(".lab-info") for y in range(w.size.height))
        text = " ".join(text.split())
        for runner in app.screen.runners:
            lab = runner.lab
            assert " ".join(lab.preset(lab.preset_name).description.split()) in text
            for note in lab.notes():
                assert " ".join(note.split()) in text
            for spec in lab.readout_specs:
                assert spec.name in text and " ".join(spec.help.split()) in text
        await pilot.press("i")
        await pilot.pause()
        assert not isinstance(app.screen, InfoScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert any(keys == "i" and description == "Info" and tooltip for keys, description, tooltip in app.screen.rows)


async def test_command_palette_opens_the_info_screen(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"lab info")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InfoScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, InfoScreen)
