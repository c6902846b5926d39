"""`hebblab exercise NAME|--file PATH [--answer K]`: a question, a prediction, the measured answer.

Exit status: 0 when the answer is right (or no answer was asked for), 1 when it is wrong,
2 for bad input, including an exercise whose options do not single out one answer for the
run (none or several hold: it says which).
"""

from __future__ import annotations

import sys
import textwrap

HELP_ORDER = 61


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "exercise", help="work through one exercise: predict, run, read the answer",
        description="Print an exercise's question and options; with --answer K run the experiment, say "
        "whether K was right and show the measured values and the explanation. Without --answer it asks on "
        "a terminal, and elsewhere runs and reports the right option. Exit 0 right, 1 wrong, 2 bad input.")
    p.add_argument("name", metavar="NAME", nargs="?", help="a built-in exercise (see `hebblab exercises`)")
    p.add_argument("--file", metavar="PATH", help="an exercise file (TOML; copy a built-in one to start)")
    p.add_argument("--answer", metavar="K", help="your prediction: the option's number")
    p.add_argument("--seed", metavar="N", help="random seed, an integer in [0, 2**32-1]")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    p.set_defaults(func=run)


def _load(args):
    from hebblab.errors import UsageError
    from hebblab.exercises import ExerciseError, builtin, load

    if (args.name is None) == (args.file is None):
        raise UsageError("exercise: give one NAME (see `hebblab exercises`) or --file PATH")
    try:
        return load(args.file) if args.file is not None else builtin(args.name)
    except ExerciseError as err:
        raise UsageError(str(err)) from None


def _answer(text, n_options: int) -> int:
    from hebblab.sim.params import ParamError

    try:
        k = int(str(text).strip())
    except ValueError:
        k = 0
    if not 1 <= k <= n_options:
        raise ParamError("--answer", f"expected an option number in [1, {n_options}], got {text!r}")
    return k


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(" ".join(text.split()), width=88, initial_indent=indent, subsequent_indent=indent)


def question_text(ex) -> str:
    kind = "two runs, A and B, on identical input" if ex.compares else "one run"
    lines = [f"{ex.name}: {ex.title or ex.question.splitlines()[0]}  ({ex.lab}, {kind})", "", _wrap(ex.question), ""]
    lines += [_wrap(f"{i}. {o.text}", "  ")[0:] for i, o in enumerate(ex.options, 1)]
    return "\n".join(lines)


def run(args) -> int:
    from hebblab.cli.run_inputs import parse_seed
    from hebblab.errors import UsageError
    from hebblab.exercises import ExerciseError
    from hebblab.exercises import run as run_exercise

    ex = _load(args)
    answer = _answer(args.answer, len(ex.options)) if args.answer is not None else None
    seed = parse_seed(args.seed) if args.seed is not None else None
    if not args.json:
        print(question_text(ex))
    if answer is None and not args.json and sys.stdin.isatty() and sys.stdout.isatty():
        try:
            reply = input(f"\nyour prediction (1-{len(ex.options)}, enter to skip): ").strip()
        except EOFError:
            reply = ""
        answer = _answer(reply, len(ex.options)) if reply else None
    try:
        verdict = run_exercise(ex, seed)
    except ExerciseError as err:
        raise UsageError(str(err)) from None
    problem = verdict.problem()
    if problem:
        values = ", ".join(f"{k} = {_num(v)}" for k, v in verdict.measured.items())
        raise UsageError(f"{ex.path}: {problem} ({values}); the exercise's conditions need fixing")
    right = None if answer is None else answer == verdict.correct
    if args.json:
        from hebblab.runfiles import dumps_record

        print(dumps_record({"name": ex.name, "question": " ".join(ex.question.split()),
                            "options": [o.text for o in ex.options], "answer": answer,
                            "correct": verdict.correct, "right": right, "measured": verdict.measured,
                            "explanation": " ".join(ex.explanation.split())}))
    else:
        print()
        print(report(ex, verdict, answer))
    return 1 if right is False else 0


def _num(v) -> str:
    from hebblab.format import fmt_value

    return fmt_value(v)


def report(ex, verdict, answer) -> str:
    from hebblab.exercises.text import measured_rows

    k = verdict.correct
    lines = []
    if answer is not None:
        mark = "right" if answer == k else "wrong"
        lines.append(f"your answer: {answer}. {ex.options[answer - 1].text}: {mark}")
    lines.append(f"measured answer: {k}. {ex.options[k - 1].text}")
    lines.append("")
    lines.append("measured:")
    width = max((len(n) for n in verdict.measured), default=0)
    lines += [f"  {n.ljust(width)}  {v}" for n, v in measured_rows(verdict)]
    if ex.closed_form:
        lines += ["", _wrap("closed form: " + ex.closed_form)]
    if ex.chapter:
        lines += ["", _wrap("the chapter: " + ex.chapter)]
    lines += ["", _wrap(ex.explanation)]
    return "\n".join(lines)
