"""One exercise: the question, the options numbered 1..k, the prediction, then the verdict.

A number key records the prediction and starts the run that grades it (off the event loop,
escape stops it) while the lab view below shows the experiment live. Then the verdict
(right or wrong, which option holds, or plainly that none or several do), the measured
values as `hebblab exercise` prints them, the closed form, the chapter's claim and the
explanation. Escape closes the screen and leaves the lab running; x goes back to the list.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from hebblab.exercises.text import measured_rows
from hebblab.tui.exercise_session import CANCELLED, DONE, FAILED, NEW, RUNNING, ExerciseSession
from hebblab.tui.screens.fresh_resize import FreshResize

MAX_OPTIONS = 4  # an exercise has two to four options (hebblab/exercises/model.py)


def _words(text: str) -> str:
    return " ".join(text.split())


class ExerciseScreen(FreshResize, ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="exercise.close",
                tooltip="Stop the running experiment; otherwise close (the lab stays; x brings the exercises back)"),
        Binding("x", "list", "Exercises", id="exercise.list", tooltip="Back to the list of exercises"),
        Binding("o", "show_run", "Show the run", id="exercise.show_run",
                tooltip="Open the exercise's experiment in the lab view again (after a prediction)"),
        *(Binding(str(k), f"predict({k})", f"Predict {k}", show=False, id=f"exercise.predict_{k}",
                  tooltip=f"Predict option {k}: the experiment then runs and grades it")
          for k in range(1, MAX_OPTIONS + 1)),
    ]

    DEFAULT_CSS = """
    ExerciseScreen { align: center bottom; background: $background 25%; }
    ExerciseScreen > VerticalScroll { width: 100%; max-width: 110; height: auto; max-height: 65%;
                                      border: round $accent; background: $surface; padding: 0 1;
                                      border-title-style: bold; }
    """

    def __init__(self, key: str, live: str = ""):
        super().__init__()
        self.key = key
        self.live = live  # what the lab view shows, in words (after a prediction)
        self._gone = False  # dismissed once (not `_closed`: Textual's message pump owns that name)

    @property
    def session(self) -> ExerciseSession:
        return ExerciseSession.of(self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="exercise") as frame:
            frame.can_focus = True  # up/down scroll a long explanation
            yield Static(id="exercise-body")

    def on_mount(self) -> None:
        self.session.listeners.append(self._changed)
        self.query_one(VerticalScroll).focus()
        self.show()
        if self.session.attempt(self.key).status in (RUNNING, DONE):
            self._keep_lab_live()

    def on_unmount(self) -> None:
        if self._changed in self.session.listeners:
            self.session.listeners.remove(self._changed)

    def _changed(self, key: str) -> None:
        if key == self.key and self.is_attached:
            self.show()

    def _keep_lab_live(self) -> None:
        """The lab view under this screen keeps running (a covered lab otherwise waits):
        after its suspend, already queued, on its own queue. Tests (sync) step it by hand."""
        lab = self.app.lab_screen()
        if lab is not None and lab.autoplay:
            lab.call_later(lab.sim.hold, False)

    # -- drawing ------------------------------------------------------------------------
    def show(self) -> None:
        frame = self.query_one(VerticalScroll)
        ex = self.session.exercises[self.key]
        kind = "two runs, A and B, on identical input" if ex.compares else "one run"
        frame.border_title = f"exercise {self.key} · {ex.lab} · {kind}"
        frame.border_subtitle = self.session.tally_text()
        self.query_one("#exercise-body", Static).update(self.body())

    def body(self) -> Text:
        ex = self.session.exercises[self.key]
        attempt = self.session.attempt(self.key)
        verdict = attempt.verdict if attempt.status == DONE else None
        correct = verdict.correct if verdict is not None else None
        text = Text()
        if ex.title:
            text.append(ex.title + "\n", style="bold")
        text.append(_words(ex.question) + "\n\n")
        for i, option in enumerate(ex.options, 1):
            style = "bold green" if i == correct else "bold" if i == attempt.answer else ""
            text.append(f" {i}  ", style="reverse" if i == attempt.answer else "bold")
            text.append(_words(option.text), style=style)
            if i == attempt.answer:
                text.append("  ◀ your prediction", style="italic")
            if verdict is not None and i in verdict.holding:
                text.append("  ✓ holds", style="bold green")
            text.append("\n")
        text.append("\n")
        k = len(ex.options)
        if attempt.status == NEW:
            text.append(f"Press 1-{k} to predict; the experiment then runs and shows the answer.", style="bold")
            text.append("  esc closes", style="dim")
        elif attempt.status == RUNNING:
            text.append("running… ", style="bold yellow")
            text.append(f"the experiment grades your prediction ({attempt.answer}); esc stops it", style="dim")
            if self.live:
                text.append(f"\nthe lab view shows it: {self.live}", style="dim")
        elif attempt.status == CANCELLED:
            text.append(f"stopped before the end: no verdict. Press 1-{k} to predict again.", style="bold")
        elif attempt.status == FAILED:
            text.append(f"the run failed: {attempt.error}", style="bold red")
            text.append(f"\nPress 1-{k} to try again.", style="dim")
        else:
            self._verdict(text, attempt)
        return text

    def _verdict(self, text: Text, attempt) -> None:
        ex, verdict = self.session.exercises[self.key], attempt.verdict
        k = verdict.correct
        problem = verdict.problem()
        if problem:  # the conditions do not single out one option: say so, pick none
            text.append(f"No verdict: {problem}.", style="bold yellow")
            text.append(f" Your prediction ({attempt.answer}) is not graded; the exercise's conditions "
                        "need fixing.\n")
        else:
            right = attempt.answer == k
            text.append("Right! " if right else "Wrong. ", style="bold green" if right else "bold red")
            text.append(f"your answer: {attempt.answer}. {_words(ex.options[attempt.answer - 1].text)}: "
                        f"{'right' if right else 'wrong'}\n")
            text.append(f"measured answer: {k}. {_words(ex.options[k - 1].text)}\n", style="bold")
        text.append("\nmeasured:\n", style="dim")
        rows = measured_rows(verdict)
        width = max((len(n) for n, _ in rows), default=0)
        for name, value in rows:
            text.append(f"  {name.ljust(width)}  ")
            text.append(f"{value}\n", style="bold")
        if ex.closed_form:
            text.append("\nclosed form: ", style="dim")
            text.append(_words(ex.closed_form) + "\n")
        if ex.chapter:
            text.append("\nthe chapter: ", style="dim")
            text.append(_words(ex.chapter) + "\n")
        text.append("\n" + _words(ex.explanation) + "\n")
        text.append("\nesc closes (the lab keeps running); o shows the run again; x lists the exercises; "
                    "up/down scroll", style="dim")

    # -- actions ------------------------------------------------------------------------
    def action_predict(self, k: int) -> None:
        ex = self.session.exercises[self.key]
        attempt = self.session.attempt(self.key)
        if not 1 <= k <= len(ex.options):
            self.notify(f"choose an option from 1 to {len(ex.options)}", timeout=3)
            return
        if attempt.status in (RUNNING, DONE):
            return  # one prediction per exercise and session
        self.session.predict(self.app, self.key, k)
        self._show_run()

    def action_show_run(self) -> None:
        if self.session.attempt(self.key).status in (RUNNING, DONE):
            self._show_run()

    def _show_run(self) -> None:
        from hebblab.tui.exercise_live import show_run

        app, ex = self.app, self.session.exercises[self.key]
        try:
            live = show_run(app, ex, self.session.seed)  # may close this screen (the lab view is replaced)
        except Exception as err:  # the verdict still comes; only the live view is missing
            live = ""
            self.notify(f"cannot show the run live: {err}", severity="warning", timeout=8)
        self.session.live_screen = app.lab_screen()
        if self in app.screen_stack:
            self.live = live
            self.show()
            self._keep_lab_live()
        else:
            app.push_screen(ExerciseScreen(self.key, live))

    def action_close(self) -> None:
        if self.session.cancel(self.key):
            return
        if self.is_active and not self._gone:  # once: a second escape must not pop the lab
            self._gone = True
            self.dismiss()

    def action_list(self) -> None:
        from hebblab.tui.screens.exercise_list import open_exercise_list

        if self.is_active and not self._gone:
            self._gone = True
            app = self.app
            self.dismiss()
            open_exercise_list(app)
