"""`hebblab exercises`: the built-in exercises, one line each (name, lab, question)."""

from __future__ import annotations

HELP_ORDER = 60


def register(subparsers) -> None:
    p = subparsers.add_parser("exercises", help="list the guided exercises",
                              description="List the built-in exercises: name, lab and question. "
                              "Run one with `hebblab exercise NAME`.")
    p.set_defaults(func=run)


def run(args) -> int:
    import textwrap

    from hebblab.exercises import all_builtin

    exercises = all_builtin()
    width = max(len(ex.name) for ex in exercises)
    for ex in exercises:
        print(f"{ex.name.ljust(width)}  {ex.lab:<8}  {ex.title}")
        print(textwrap.fill(" ".join(ex.question.split()), width=96, initial_indent="    ",
                            subsequent_indent="    "))
    print("\nrun one: hebblab exercise NAME [--answer K]; copy one to edit: hebblab exercise --file PATH")
    return 0
