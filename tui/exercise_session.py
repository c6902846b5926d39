"""The exercises of one app session: which there are, each one's attempt, the tally.

An attempt is the student's prediction and the verdict of the run that answers it. The
verdict comes from `hebblab.exercises.run`, the function `hebblab exercise` calls, on a
thread of its own (a worker of the app, so it outlives the screen that started it);
escape stops it between slices of the run. Screens listen for changes and redraw.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from textual.worker import get_current_worker

from hebblab.exercises import Exercise, Stopped, Verdict, all_builtin
from hebblab.exercises import run as run_exercise

NEW, RUNNING, DONE, CANCELLED, FAILED = "new", "running", "done", "cancelled", "failed"


@dataclass
class Attempt:
    answer: int | None = None  # the prediction: an option's number, 1-based
    status: str = NEW
    verdict: Verdict | None = None
    error: str = ""  # why a run failed (a bad exercise file, a lab error)
    stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def right(self) -> bool | None:
        """True or False once graded; None before, or when no single option holds."""
        if self.status != DONE or self.answer is None or self.verdict is None or self.verdict.correct is None:
            return None
        return self.answer == self.verdict.correct


class ExerciseSession:
    """Kept on the app (`ExerciseSession.of(app)`): closing a screen loses nothing."""

    def __init__(self, exercises: Iterable[Exercise] | None = None, seed: int | None = None):
        self.exercises: dict[str, Exercise] = {}
        self.files: list[str] = []  # keys of the exercises from files (--exercise-file), listed first
        for ex in (all_builtin() if exercises is None else exercises):
            self.add(ex)
        self.seed = seed  # None: each exercise's own seed, as `hebblab exercise NAME` without --seed
        self.attempts: dict[str, Attempt] = {}
        self.listeners: list[Callable[[str], None]] = []
        self.last: str | None = None  # the exercise opened last (the list starts on it)
        # The list's order where it was last opened, kept while the lab view is one an exercise
        # opened (answering the chapter's first exercise keeps the chapter's three first).
        self.context: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self.live_screen = None  # the lab view an exercise opened

    @classmethod
    def of(cls, app) -> ExerciseSession:
        session = getattr(app, "exercise_session", None)
        if session is None:
            session = cls()
            app.exercise_session = session
        return session

    def add(self, ex: Exercise, from_file: bool = False) -> str:
        """Add an exercise (a lecturer's file, say); its key, the name made unique."""
        key, n = ex.name, 1
        while key in self.exercises and self.exercises[key] is not ex:
            n += 1
            key = f"{ex.name}-{n}"
        self.exercises[key] = ex
        if from_file and key not in self.files:
            self.files.append(key)
        return key

    def attempt(self, key: str) -> Attempt:
        return self.attempts.setdefault(key, Attempt())

    # -- the tally and the order of the list ------------------------------------------------
    def tally(self) -> tuple[int, int]:
        """(right, graded): predictions the measurement agreed with, of those it could grade."""
        graded = [a.right for a in self.attempts.values() if a.right is not None]
        return sum(graded), len(graded)

    def tally_text(self) -> str:
        right, graded = self.tally()
        return f"{right}/{graded} right" if graded else "none answered yet"

    def order(self, first: Sequence[str] = (), labs: Iterable[str] = ()) -> list[str]:
        """Keys in list order: the exercises from files (in the order given), then `first` (the
        chapter's own), then the exercises of `labs` (the ones on screen), then the rest, each
        group in the built-in order."""
        labs = set(labs)
        keys = list(self.exercises)
        rank = {k: (-1, self.files.index(k)) if k in self.files else (0, first.index(k)) if k in first
                else (1 if self.exercises[k].lab in labs else 2, 0) for k in keys}
        return sorted(keys, key=lambda k: rank[k])  # stable: the built-in order within a group

    # -- running ---------------------------------------------------------------------------
    def predict(self, app, key: str, answer: int) -> bool:
        """Record a prediction and start the run that grades it; False if this exercise was
        answered already or is running."""
        attempt = self.attempt(key)
        if attempt.status in (RUNNING, DONE):
            return False
        ex = self.exercises[key]
        attempt = self.attempts[key] = Attempt(answer=answer, status=RUNNING)
        loop = asyncio.get_running_loop()
        seed = self.seed

        def work() -> None:  # on the worker's thread
            worker = get_current_worker()  # cancelled when the app quits: the run ends too

            def stop() -> bool:
                return attempt.stop.is_set() or worker.is_cancelled

            try:
                outcome: object = run_exercise(ex, seed, stop=stop)
            except Stopped:
                outcome = None
            except Exception as err:  # a lab or file error is shown, never a crash
                outcome = err
            try:
                loop.call_soon_threadsafe(self._finished, key, attempt, outcome)
            except RuntimeError:  # the app closed meanwhile
                pass

        app.run_worker(work, thread=True, group="exercise", name=f"exercise {key}", exit_on_error=False)
        self._changed(key)
        return True

    def cancel(self, key: str) -> bool:
        """Stop a running attempt (escape); the prediction is withdrawn."""
        attempt = self.attempts.get(key)
        if attempt is None or attempt.status != RUNNING:
            return False
        attempt.stop.set()
        attempt.status = CANCELLED
        self._changed(key)
        return True

    def _finished(self, key: str, attempt: Attempt, outcome: object) -> None:
        if self.attempts.get(key) is not attempt or attempt.status != RUNNING:
            return  # cancelled, or replaced by a newer attempt
        if isinstance(outcome, Verdict):
            attempt.status, attempt.verdict = DONE, outcome
        elif outcome is None:
            attempt.status = CANCELLED
        else:
            attempt.status, attempt.error = FAILED, str(outcome) or type(outcome).__name__
        self._changed(key)

    def _changed(self, key: str) -> None:
        for listener in list(self.listeners):
            listener(key)
