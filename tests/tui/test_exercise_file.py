"""`hebblab tui --exercise-file PATH` in the app: the app the CLI builds (its run() replaced by
Textual's test pilot) opens on the file's exercise, in the exercise's lab, lists it first
under x, and grades a number key exactly as `hebblab exercise --file PATH --answer K` does."""

from __future__ import annotations

import contextlib
import io
import json
import textwrap

import pytest
from textual.widgets import OptionList

from hebblab.tui.app import HebblabApp
from hebblab.tui.screens.exercise_list import ExerciseList
from hebblab.tui.screens.exercise_screen import ExerciseScreen
from hebblab.tui.screens.lab_screen import LabScreen
from tests.exercise_texts import PAIRED

# Just below the rheobase, noise makes the spikes: the count, and so the right option, depends
# on the seed (the file's seed 3 gives 6 spikes, seed 0 gives 5: measured by the CLI below).
NOISY = """
    title = "Noise below the rheobase"
    question = "Just below the rheobase, with noise: how many spikes in 300 ms?"
    lab = "lif"
    preset = "chapter"
    duration_ms = 300
    seed = 3
    explanation = "Noise carries V over threshold now and then."
    show = ["spike_count"]
    [params]
    I_ext_nA = 1.5
    noise_nA = 0.5
    [[options]]
    text = "at most five"
    when = "spike_count <= 5"
    [[options]]
    text = "six or more"
    when = "spike_count >= 6"
    """


def write(tmp_path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


def cli(*argv: str) -> tuple[int, str]:
    from hebblab.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


@pytest.fixture
def tui_app(tmp_path, monkeypatch):
    """The app `hebblab tui ARGS` builds, made steppable (autoplay off) for the pilot."""

    def build(*argv: str) -> HebblabApp:
        built = []
        with monkeypatch.context() as m:
            m.setenv("HOME", str(tmp_path / "home"))
            m.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
            m.setenv("TEXTUAL_DRIVER", "x")  # as under `hebblab serve`: no terminal needed
            m.setattr(HebblabApp, "run", lambda self, *a, **k: built.append(self))
            code, _ = cli("tui", *argv)
        assert code == 0 and len(built) == 1
        app = built[0]
        app.autoplay, app.sync = False, True  # as tests build it: frames only on `n`
        app.export_dir = tmp_path / "out"
        return app

    return build


def listed(app) -> list[str]:
    assert isinstance(app.screen, ExerciseList)
    ol = app.screen.query_one(OptionList)
    return [ol.get_option_at_index(i).id for i in range(ol.option_count)]


async def test_one_file_opens_on_its_question_in_its_lab_and_grades_as_the_cli(tmp_path, tui_app):
    path = write(tmp_path, "noisy.toml", NOISY)
    app = tui_app("--exercise-file", path)  # LAB defaults to the chapter view: the exercise's lab wins
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen) and screen.key == "noisy"
        assert "Press 1-2 to predict" in screen.body().plain
        assert "Just below the rheobase" in screen.body().plain
        lab = app.lab_screen()
        assert [r.lab_cls.name for r in lab.runners] == ["lif"] and lab.runners[0].shown.preset_name == "chapter"
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        attempt = app.exercise_session.attempts["noisy"]
        code, out = cli("exercise", "--file", path, "--answer", "1", "--json")
        record = json.loads(out)
        assert (attempt.verdict.correct, attempt.right) == (record["correct"], record["right"]) == (2, False)
        assert code == 1 and attempt.verdict.measured == record["measured"]
        assert "Wrong." in app.screen.body().plain and app.exercise_session.tally() == (0, 1)
        await pilot.press("x")  # the lab view is now the exercise's run: the list keeps the lab's order
        await pilot.pause()
        assert listed(app)[:5] == ["noisy", "ex1-tau40", "euler-vs-exact", "refractory", "rheobase"]


async def test_with_the_sessions_seed_the_verdict_follows_that_seed_as_the_clis(tmp_path, tui_app):
    path = write(tmp_path, "noisy.toml", NOISY)
    app = tui_app("lif", "--exercise-file", path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.exercise_session.seed = 0  # as `--seed 0`: 5 spikes, the other option
        await pilot.press("1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        attempt = app.exercise_session.attempts["noisy"]
        code, out = cli("exercise", "--file", path, "--answer", "1", "--seed", "0", "--json")
        record = json.loads(out)
        assert (attempt.verdict.correct, attempt.right) == (record["correct"], record["right"]) == (1, True)
        assert code == 0 and attempt.verdict.measured == record["measured"] == {"spike_count": 5}


async def test_the_files_exercise_is_listed_first_and_marked(tmp_path, tui_app):
    path = write(tmp_path, "noisy.toml", NOISY)
    app = tui_app("--exercise-file", path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("x")  # from the exercise screen back to the list
        await pilot.pause()
        keys = listed(app)
        assert keys[0] == "noisy" and len(keys) == len(app.exercise_session.exercises)
        prompt = app.screen.query_one(OptionList).get_option_at_index(0).prompt.plain
        assert "file: noisy.toml" in prompt and "Noise below the rheobase" in prompt
        assert not any("file:" in app.screen.query_one(OptionList).get_option_at_index(i).prompt.plain
                       for i in range(1, len(keys)))  # the built-in ones are not marked
        assert "the file's exercise first, then exercises of lif" in str(app.screen.query_one("#exercise-list-head").content)
        assert app.screen.current == "noisy"


async def test_several_files_are_listed_first_in_order_and_none_opens(tmp_path, tui_app):
    # A file named like a built-in exercise: both stay, the file's under a key of its own.
    first = write(tmp_path, "rheobase.toml", NOISY)
    second = write(tmp_path, "paired.toml", PAIRED)
    app = tui_app("oja", "--exercise-file", first, "--exercise-file", second)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LabScreen) and app.lab_screen().runners[0].lab_cls.name == "oja"
        await pilot.press("x")
        await pilot.pause()
        keys = listed(app)
        assert keys[:3] == ["rheobase-2", "paired", "hebb-vs-oja"]  # the files', then the lab's
        assert app.exercise_session.exercises["rheobase"].path == "exercises/rheobase.toml"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.key == "rheobase-2"
        await pilot.press("2")  # the file's seed 3: six spikes, right
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.exercise_session.tally() == (1, 1)  # counted like a built-in one
        assert app.screen.query_one("#exercise").border_subtitle == "1/1 right"


async def test_a_paired_exercise_opens_on_its_comparison(tmp_path, tui_app):
    app = tui_app("--exercise-file", write(tmp_path, "paired.toml", PAIRED))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.key == "paired"
        lab = app.lab_screen()
        assert getattr(lab, "pair", None) == "ex1"
        assert [r.value("tau_m_ms") for r in lab.runners] == [20.0, 40.0]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is lab
