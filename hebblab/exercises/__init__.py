"""Guided exercises: a question, the student's prediction, the run, the measured answer.
Shared by the CLI (`hebblab exercise`) and the TUI (key x); never imports either."""

from hebblab.exercises.model import (Exercise, ExerciseError, Option, Stopped, Verdict, all_builtin, builtin,
                                     builtin_names, grade, load, make_runs, measure, run, run_setup)

__all__ = ["Exercise", "ExerciseError", "Option", "Stopped", "Verdict", "all_builtin", "builtin", "builtin_names",
           "grade", "load", "make_runs", "measure", "run", "run_setup"]
