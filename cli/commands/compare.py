"""`hebblab compare`: two runs of one lab, A and B, on identical input, side by side.

A pair (`hebblab pairs LAB`) supplies each side's values; --set applies to both sides and
--a / --b to one, overriding the pair. Everything is validated before either side runs.
"""

from __future__ import annotations

import argparse
import sys

HELP_ORDER = 42


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help="run a lab twice (A and B) on identical input and compare",
        description="Run two conditions of one lab on the same random input and print every "
        "readout for A and B with the difference, the parameters that differ, and overlaid "
        "charts; or one JSON object with --json.")
    p.add_argument("lab", metavar="LAB", nargs="?", help="lab name (see `hebblab labs`); optional with --config")
    p.add_argument("--pair", metavar="NAME", help="a comparison preset (see `hebblab pairs LAB`)")
    p.add_argument("--preset", metavar="P", help="preset for both sides (default: the pair's, else the lab's)")
    p.add_argument("--a", metavar="NAME=VALUE", action="append", default=[], dest="a_sets",
                   help="set a parameter of side A only (repeatable)")
    p.add_argument("--b", metavar="NAME=VALUE", action="append", default=[], dest="b_sets",
                   help="set a parameter of side B only (repeatable)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], dest="sets",
                   help="set a parameter of both sides (repeatable)")
    p.add_argument("--duration", metavar="MS", help="biological time to simulate, in ms")
    p.add_argument("--seed", metavar="N", help="random seed of both sides, an integer in [0, 2**32-1]")
    p.add_argument("--config", metavar="DIR", help="replay a comparison written by --out (its directory "
                   "or compare.json); --set, --a, --b, --seed and --duration override its values")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    p.add_argument("--out", metavar="DIR", help="write DIR/a/ and DIR/b/ (ordinary run directories) and "
                   "DIR/compare.json (DIR new or empty)")
    p.add_argument("--plot", action=argparse.BooleanOptionalAction, default=None,
                   help="draw overlaid terminal charts (default: only when stdout is a terminal)")
    p.set_defaults(func=run)


def run(args) -> int:
    from hebblab.cli.compare_plan import plan_compare
    from hebblab.runfiles import check_out_dir, dumps_record

    plan = plan_compare(args.lab, args.pair, args.preset, args.sets, args.a_sets, args.b_sets, args.seed,
                        args.duration, args.config)
    if args.out is not None:
        check_out_dir(args.out)
    comparison = plan.make()
    comparison.run(plan.duration_ms)
    record = plan.record(comparison)
    if args.out is not None:
        from hebblab.runfiles import write_comparison

        write_comparison(comparison, args.out, plan.duration_ms, record)
    for side, lab in zip("AB", comparison.sides):
        if lab.diverged:
            print(f"hebblab: warning: side {side} diverged: {lab.diverged}", file=sys.stderr)
    if args.json:
        print(dumps_record(record))
        return 0
    print(summary(plan, comparison, record))
    plot = sys.stdout.isatty() if args.plot is None else args.plot
    if plot:
        print()
        print(charts(comparison))
    if args.out is not None:
        import shlex
        from pathlib import Path

        out = Path(args.out)
        print(f"\nwrote {out}/ (a/, b/, compare.json); replay: hebblab compare --config {shlex.quote(str(out))}")
    return 0


def summary(plan, comparison, record) -> str:
    from hebblab.cli.text_tables import text_table
    from hebblab.compare_view import metric_rows
    from hebblab.format import fmt_value

    a, b = comparison.sides
    head = [f"{a.name}: {a.title}" if a.title else a.name,
            f"pair {plan.pair or '-'} | preset {plan.preset} | seed {plan.seed} | {plan.duration_ms:.10g} ms"]
    changed = comparison.differing()
    if changed:
        head.append("differs: " + ", ".join(f"{n} A={a.spec(n).format(a.params[n])} B={b.spec(n).format(b.params[n])}"
                                            for n in changed))
    else:
        head.append("differs: nothing (A and B are the same experiment)")
    moved = comparison.input_changing()
    if moved:
        head.append("note: " + ", ".join(moved) + " change the input itself, so A and B do not see identical input")
    units = {r.name: r.unit for r in a.readout_specs}
    rows = []
    for name, va, vb, d, rel in metric_rows(record["a"]["metrics"], record["b"]["metrics"]):
        pct = fmt_value(None if rel is None else 100 * rel, digits=3)
        rows.append([name, fmt_value(va), fmt_value(vb), fmt_value(d), pct if rel is None else pct + " %",
                     units.get(name, "")])
    table = text_table(["metric", "A", "B", "B-A", "change", "unit"], rows)
    notes_a, notes_b = a.notes(), b.notes()
    notes = [f"  both: {n}" for n in notes_a if n in notes_b]
    notes += [f"  A: {n}" for n in notes_a if n not in notes_b]
    notes += [f"  B: {n}" for n in notes_b if n not in notes_a]
    parts = ["\n".join(head), table]
    if plan.description:
        parts.insert(1, "look for: " + " ".join(plan.description.split()))
    if notes:
        parts.append("notes:\n" + "\n".join(notes))
    return "\n\n".join(parts)


def charts(comparison) -> str:
    import shutil

    from hebblab.cli.terminal_charts import render_all, use_color
    from hebblab.compare_view import comparison_series

    a, b = comparison.sides
    width = min(120, shutil.get_terminal_size((100, 30)).columns)
    return render_all(comparison_series(a.series(), b.series()), width=width, height=16,
                      color=use_color(sys.stdout))
