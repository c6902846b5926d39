"""The exercise list (x): every exercise with its lab, question and this session's answer.

Exercises from files (`hebblab tui --exercise-file PATH`) come first, marked with their
file's name. Then the chapter view lists the chapter's own exercises (its `exercises`
attribute), a lab view the exercises of the labs it shows; then the rest. A lab view that an
exercise opened keeps the order the exercise was chosen in. Enter opens the exercise screen.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from hebblab.tui.exercise_session import CANCELLED, DONE, FAILED, RUNNING, Attempt, ExerciseSession
from hebblab.tui.screens.pickers import Picker


def mark(attempt: Attempt | None) -> tuple[str, str]:
    """(words, style) for an exercise's state this session."""
    if attempt is None or attempt.answer is None:
        return "", ""
    if attempt.status == RUNNING:
        return f"running… (predicted {attempt.answer})", "italic"
    if attempt.status in (CANCELLED, FAILED):
        return "stopped" if attempt.status == CANCELLED else "failed", "dim"
    if attempt.status == DONE and attempt.right is None:
        return f"predicted {attempt.answer}: no single answer", "yellow"
    if attempt.right:
        return f"✓ right ({attempt.answer})", "bold green"
    return f"✗ wrong ({attempt.answer}; measured {attempt.verdict.correct})", "bold red"


class ExerciseList(Picker):
    """Dismisses with the chosen exercise's key (None on escape)."""

    def __init__(self, session: ExerciseSession, keys: list[str], current: str | None = None, note: str = ""):
        super().__init__(f"Exercises: {session.tally_text()}", [(k, "") for k in keys], current)
        self.session = session
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            head = f"{self.picker_title}  (enter: open, esc: close)"
            yield Label(head + (f"\n{self.note}" if self.note else ""), id="exercise-list-head")
            items = []
            for key, _ in self.options:
                ex = self.session.exercises[key]
                text = Text()
                text.append(key, style="bold")
                text.append(f"  {ex.lab}", style="cyan")
                if key in self.session.files:
                    text.append(f"  file: {PurePath(ex.path).name}", style="bold italic")
                words, style = mark(self.session.attempts.get(key))
                if words:
                    text.append(f"  {words}", style=style)
                if ex.title:
                    text.append(f"\n{ex.title}")
                text.append("\n" + " ".join(ex.question.split()), style="dim")
                items.append(Option(text, id=key))
            yield OptionList(*items)


def open_exercise_list(app) -> None:
    """Push the list (x); the chosen exercise opens on its own screen."""
    from hebblab.tui.screens.exercise_screen import ExerciseScreen

    if any(isinstance(s, ExerciseList) for s in app.screen_stack):
        return
    session = ExerciseSession.of(app)
    lab_screen = app.lab_screen()
    if lab_screen is not None and lab_screen is session.live_screen:
        first, labs = session.context  # the view an exercise opened: the order it was chosen in
    else:
        first = tuple(getattr(lab_screen, "exercises", ()))  # the chapter view's own three
        labs = tuple(dict.fromkeys(r.lab_cls.name for r in getattr(lab_screen, "runners", ())))
        session.context = first, labs
    keys = session.order(first, labs)
    if first:
        note = "the chapter's exercises first"
    elif labs:
        note = f"exercises of {', '.join(labs)} first"
    else:
        note = ""
    if session.files:
        mine = "the file's exercise" if len(session.files) == 1 else "the files' exercises"
        note = f"{mine} first" + (f", then {note.removesuffix(' first')}" if note else "")

    def chosen(key: str | None) -> None:
        if key:
            session.last = key
            app.push_screen(ExerciseScreen(key))

    app.push_screen(ExerciseList(session, keys, session.last, note), chosen)


def open_exercise_files(app, exercises: Iterable) -> None:
    """At start: add the exercises of --exercise-file to the session, first in the list and
    counted like the built-in ones. With one file its exercise opens at once, over the lab
    view the CLI opened for it (the exercise's lab, preset or pair)."""
    from hebblab.tui.screens.exercise_screen import ExerciseScreen

    session = ExerciseSession.of(app)
    keys = [session.add(ex, from_file=True) for ex in exercises]
    if len(keys) == 1:
        session.last = keys[0]
        session.context = (), (session.exercises[keys[0]].lab,)  # once answered, the list keeps its lab's order
        app.push_screen(ExerciseScreen(keys[0]))
