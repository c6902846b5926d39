"""The exercise list (x) and the exercise screen: the prediction by number key, the run off
the event loop (escape stops it), the verdict exactly as `hebblab exercise` computes it,
the tally of the session, and the experiment opened live in the lab view."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import textwrap
import time

import pytest
from textual.widgets import OptionList

from hebblab.exercises import all_builtin, builtin_names, load
from hebblab.tui.app import HebblabApp
from hebblab.tui.exercise_session import CANCELLED, DONE, RUNNING, ExerciseSession
from hebblab.tui.screens.exercise_list import ExerciseList
from hebblab.tui.screens.exercise_screen import ExerciseScreen
from hebblab.tui.screens.lab_screen import LabScreen
from tests.exercise_texts import LECTURER

CHAPTER_THREE = ["ex1-tau40", "ex2-inhibitory", "ex3-sigmoid"]
LIF_EXERCISES = ["ex1-tau40", "euler-vs-exact", "refractory", "rheobase"]  # the built-in order


def cli(*argv: str) -> tuple[int, str]:
    from hebblab.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def listed(app) -> list[str]:
    assert isinstance(app.screen, ExerciseList)
    ol = app.screen.query_one(OptionList)
    return [ol.get_option_at_index(i).id for i in range(ol.option_count)]


def screen_text(app) -> str:
    return app.screen.body().plain


async def open_exercise(pilot, name: str) -> ExerciseScreen:
    app = pilot.app
    await pilot.press("x")
    await pilot.pause()
    app.screen.query_one(OptionList).highlighted = listed(app).index(name)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ExerciseScreen) and app.screen.key == name
    return app.screen


async def answer(pilot, name: str, k: int) -> ExerciseScreen:
    await open_exercise(pilot, name)
    await pilot.press(str(k))
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ExerciseScreen) and screen.key == name
    return screen


LONG_EI = """
    question = "A long network run: does it fire?"
    lab = "ei"
    preset = "small"
    duration_ms = 100000
    explanation = "It does."
    [[options]]
    text = "yes"
    when = "rate_exc_hz > 0"
    [[options]]
    text = "no"
    when = "rate_exc_hz == 0"
    """


def user_exercise(tmp_path, name: str, body: str):
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load(path)


async def test_x_opens_the_list_current_lab_first():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        keys = listed(app)
        assert sorted(keys) == sorted(builtin_names())
        assert keys[:4] == LIF_EXERCISES  # the lab on screen first, then the rest
        assert all(app.screen.session.exercises[k].lab != "lif" for k in keys[4:])
        ol = app.screen.query_one(OptionList)
        shown = ol.get_option_at_index(keys.index("rheobase")).prompt.plain
        ex = app.screen.session.exercises["rheobase"]
        assert "rheobase" in shown and "lif" in shown and " ".join(ex.question.split()) in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)


async def test_chapter_view_lists_its_three_exercises_first(tmp_path):
    # A user's lif exercise added first in the session: a lif lab would list it first; the
    # chapter view puts its own three before it.
    own = user_exercise(tmp_path, "aa-lif-first", """
        question = "Does the chapter's neuron fire?"
        lab = "lif"
        preset = "chapter"
        explanation = "1.8 nA is above the 1.6 nA rheobase."
        [[options]]
        text = "yes"
        when = "spike_count > 0"
        [[options]]
        text = "no"
        when = "spike_count == 0"
        """)
    for lab, first in (("chapter", [*CHAPTER_THREE, "aa-lif-first"]), ("lif", ["aa-lif-first", *LIF_EXERCISES])):
        app = HebblabApp(lab, autoplay=False)
        app.exercise_session = ExerciseSession([own, *all_builtin()])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("x")
            await pilot.pause()
            assert listed(app)[:len(first)] == first, lab


def test_order_first_then_labs_then_rest():
    session = ExerciseSession()
    order = session.order(first=("ex3-sigmoid", "ex1-tau40"), labs=["oja"])
    assert order[:3] == ["ex3-sigmoid", "ex1-tau40", "hebb-vs-oja"]
    rest = [k for k in builtin_names() if k not in order[:3]]
    assert order[3:] == rest


async def test_number_key_records_the_prediction_and_the_verdict_is_the_clis():
    app = HebblabApp("chapter", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_exercise(pilot, "ex1-tau40")
        assert "Press 1-4 to predict" in screen_text(app)
        await pilot.press("2")
        attempt = app.exercise_session.attempts["ex1-tau40"]
        assert attempt.answer == 2 and attempt.status in (RUNNING, DONE)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert attempt.status == DONE and attempt.right is True
        code, out = cli("exercise", "ex1-tau40", "--answer", "2")
        assert code == 0
        text = screen_text(app)
        # the CLI's verdict lines and measured rows, word for word
        report = out[out.index("your answer:"):]
        for line in report.splitlines()[:2] + [ln for ln in report.splitlines() if ln.startswith("  ")]:
            assert line.rstrip() in text, line
        assert "Right!" in text and "1/1 right" == app.screen.query_one("#exercise").border_subtitle


@pytest.mark.parametrize("name,seed", [("ei-balance", 5), ("hebb-vs-oja", 2), ("stdp-window", 1)])
async def test_verdict_equals_the_clis_for_that_exercise_and_seed(name, seed):
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        ExerciseSession.of(app).seed = seed
        screen = await answer(pilot, name, 1)
        attempt = app.exercise_session.attempts[name]
        code, out = cli("exercise", name, "--answer", "1", "--seed", str(seed), "--json")
        record = json.loads(out)
        assert attempt.verdict.correct == record["correct"]
        assert attempt.right == record["right"] and code == (0 if record["right"] else 1)
        assert json.loads(json.dumps(attempt.verdict.measured)) == pytest.approx(record["measured"])
        assert ("Right!" if record["right"] else "Wrong.") in screen.body().plain


async def test_wrong_answer_counts_wrong_and_the_tally_follows():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await answer(pilot, "ex1-tau40", 1)  # "it goes up": the chapter's wrong hint
        text = screen.body().plain
        assert "Wrong." in text and "your answer: 1. It goes up: a slower membrane fires faster: wrong" in text
        assert "measured answer: 2." in text
        assert app.exercise_session.tally() == (0, 1)
        assert screen.query_one("#exercise").border_subtitle == "0/1 right"
        await pilot.press("3")  # one prediction per exercise: a second key changes nothing
        await pilot.pause()
        assert app.exercise_session.attempts["ex1-tau40"].answer == 1
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)

        screen = await answer(pilot, "rheobase", 2)  # 1.5 nA stays below the rheobase
        assert "Right!" in screen.body().plain
        assert screen.query_one("#exercise").border_subtitle == "1/2 right"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert "1/2 right" in app.screen.picker_title
        ol = app.screen.query_one(OptionList)
        keys = listed(app)
        assert "✗ wrong (1; measured 2)" in ol.get_option_at_index(keys.index("ex1-tau40")).prompt.plain
        assert "✓ right (2)" in ol.get_option_at_index(keys.index("rheobase")).prompt.plain
        assert app.screen.current == "rheobase"  # the list starts on the exercise opened last


async def test_the_experiment_opens_live_in_the_lab_view():
    app = HebblabApp("chapter", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "ex1-tau40", 2)
        lab = app.lab_screen()
        assert [r.lab_cls.name for r in lab.runners] == ["lif", "lif"]
        assert [r.value("tau_m_ms") for r in lab.runners] == [20.0, 40.0]  # A and B as the exercise sets them
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab  # closing the exercise leaves the comparison to explore
        await answer(pilot, "rheobase", 2)  # one run: the lab alone with the exercise's values
        lab = app.lab_screen()
        assert len(lab.runners) == 1 and lab.runners[0].value("I_ext_nA") == 1.5


async def test_without_the_comparison_mode_run_b_opens_alone(monkeypatch):
    import hebblab.tui.exercise_live as live

    monkeypatch.setattr(live, "compare_mode", lambda: None)
    app = HebblabApp("chapter", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_exercise(pilot, "ex1-tau40")
        await pilot.press("2")
        assert "run B alone" in app.screen.live
        await app.workers.wait_for_complete()
        await pilot.pause()
        lab = app.lab_screen()
        assert len(lab.runners) == 1 and lab.runners[0].value("tau_m_ms") == 40.0
        assert app.exercise_session.attempts["ex1-tau40"].right is True


async def test_escape_stops_a_running_experiment_then_closes(tmp_path):
    long = user_exercise(tmp_path, "long-ei", LONG_EI)
    app = HebblabApp("lif", autoplay=False)
    app.exercise_session = ExerciseSession([long])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_exercise(pilot, "long-ei")
        await pilot.press("1")
        await pilot.pause()
        attempt = app.exercise_session.attempts["long-ei"]
        assert attempt.status == RUNNING and "running…" in screen_text(app)
        t0 = time.monotonic()
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert time.monotonic() - t0 < 15  # stopped within a slice (0.5 % of the run), long before its end
        assert attempt.status == CANCELLED and attempt.verdict is None
        assert isinstance(app.screen, ExerciseScreen) and "stopped before the end" in screen_text(app)
        assert app.exercise_session.tally() == (0, 0)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)


async def test_quitting_ends_a_running_experiment(tmp_path, monkeypatch):
    import threading

    import hebblab.tui.exercise_session as session_module

    ended = threading.Event()
    real_run = session_module.run_exercise

    def run_and_tell(*args, **kwargs):
        try:
            return real_run(*args, **kwargs)
        finally:
            ended.set()

    monkeypatch.setattr(session_module, "run_exercise", run_and_tell)
    long = user_exercise(tmp_path, "long-ei", LONG_EI)
    app = HebblabApp("lif", autoplay=False)
    app.exercise_session = ExerciseSession([long])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_exercise(pilot, "long-ei")
        await pilot.press("1")
        await pilot.pause()
        assert app.exercise_session.attempts["long-ei"].status == RUNNING and not ended.is_set()
        await pilot.press("q")
    assert ended.wait(15)  # the thread stopped with the app, long before the run's end


async def test_a_user_written_exercise_is_listed_run_and_graded(tmp_path):
    own = user_exercise(tmp_path, "my-rheobase", LECTURER.replace("duration_ms = 200", "duration_ms = 1000"))
    app = HebblabApp("lif", autoplay=False)
    session = app.exercise_session = ExerciseSession(all_builtin())
    session.add(own)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await answer(pilot, "my-rheobase", 1)
        assert session.attempts["my-rheobase"].right is True
        assert "Right!" in screen.body().plain and "spike_count" in screen.body().plain
        assert app.lab_screen().runners[0].value("I_ext_nA") == 1.7


async def test_options_that_do_not_single_out_an_answer_are_said_plainly(tmp_path):
    both = user_exercise(tmp_path, "both-hold", """
        question = "Does the chapter's cell fire?"
        lab = "lif"
        preset = "chapter"
        explanation = "Both conditions hold: a broken exercise."
        [[options]]
        text = "yes"
        when = "spike_count > 0"
        [[options]]
        text = "at least zero spikes"
        when = "spike_count >= 0"
        """)
    app = HebblabApp("lif", autoplay=False)
    app.exercise_session = ExerciseSession([both])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await answer(pilot, "both-hold", 1)
        text = screen.body().plain
        assert "No verdict: options 1 and 2 all hold for this run." in text
        assert "Right!" not in text and "Wrong." not in text
        assert app.exercise_session.tally() == (0, 0)


async def test_x_on_the_exercise_screen_goes_back_to_the_list():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_exercise(pilot, "refractory")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseList)
        assert sum(isinstance(s, (ExerciseList, ExerciseScreen)) for s in app.screen_stack) == 1


def test_the_tui_exercise_modules_do_not_import_the_cli():
    code = """
        import json, sys
        import hebblab.tui.exercise_session, hebblab.tui.exercise_live
        import hebblab.tui.screens.exercise_list, hebblab.tui.screens.exercise_screen
        print(json.dumps([m for m in sys.modules if m.startswith("hebblab.cli")]))
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


async def test_after_a_chapter_exercise_the_list_keeps_the_chapters_order():
    app = HebblabApp("chapter", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "ex1-tau40", 2)  # the lab view is now the lif comparison
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert listed(app)[:3] == CHAPTER_THREE
        await pilot.press("escape")
        await pilot.pause()
        app.open_lab("oja")  # a lab the user chose: its exercises first again
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert listed(app)[0] == "hebb-vs-oja"


async def test_o_shows_an_answered_exercises_run_again():
    app = HebblabApp("lif", autoplay=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await answer(pilot, "refractory", 1)
        await pilot.press("escape")
        await pilot.pause()
        app.open_lab("oja")
        await pilot.pause()
        await open_exercise(pilot, "refractory")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.key == "refractory"
        assert [r.value("t_ref_ms") for r in app.lab_screen().runners] == [0.0, 5.0]
