"""`hebblab run`: run one lab headless; print a summary (and charts) or one JSON object.

All input is validated (hebblab.cli.run_inputs.plan_run) and the output directory checked before
the simulation starts, so bad input leaves nothing behind.
"""

from __future__ import annotations

import argparse
import math
import sys

HELP_ORDER = 40


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="run a lab headless",
        description="Run a lab headless and print its readouts, notes and metrics (and charts "
        "with --plot or on a terminal), or one JSON object with --json.")
    p.add_argument("lab", metavar="LAB", nargs="?", help="lab name (see `hebblab labs`); "
                   "optional with --config")
    p.add_argument("--preset", metavar="P", help="preset name (see `hebblab presets LAB`)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], dest="sets",
                   help="set a parameter (repeatable; see `hebblab params LAB`)")
    p.add_argument("--duration", metavar="MS", help="biological time to simulate, in ms")
    p.add_argument("--seed", metavar="N", help="random seed, an integer in [0, 2**32-1]")
    p.add_argument("--config", metavar="FILE", help="replay an experiment.toml (written by --out); "
                   "--set, --seed and --duration override its values")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    p.add_argument("--out", metavar="DIR", help="write experiment.toml, metrics.json, series.npz "
                   "and one CSV per series into DIR (new or empty)")
    p.add_argument("--plot", action=argparse.BooleanOptionalAction, default=None,
                   help="draw terminal charts (default: only when stdout is a terminal)")
    from hebblab.cli.engines import add_run_flags

    add_run_flags(p)  # --engine, --threads, --nwb: hebblab.engines
    p.set_defaults(func=run)


def run(args) -> int:
    from hebblab.errors import UsageError
    from hebblab.runfiles import check_out_dir, dumps_record, run_record, write_run
    from hebblab.cli.run_inputs import plan_run, print_notices
    from hebblab.cli.engines import run_elsewhere, start_nwb

    status = run_elsewhere(args)  # --engine nest: the run happens in NEST
    if status is not None:
        return status
    plan = plan_run(args.lab, args.preset, args.sets, args.seed, args.duration, args.config)
    if args.out is not None:
        check_out_dir(args.out)
    print_notices(plan.notices)  # input is valid: say which old names were used
    lab = plan.make_lab()
    nwb = start_nwb(args, lab, plan.duration_ms)  # --nwb: checked now, records during the run
    lab.run(plan.duration_ms)
    record = run_record(lab, plan.duration_ms)
    if args.out is not None:
        try:
            write_run(lab, args.out, plan.duration_ms, metrics=record["metrics"])
        except OSError as err:  # checked before the run, but disks fill and dirs vanish
            raise UsageError(f"--out: cannot write {args.out}: {err.strerror or err}") from None
    if nwb is not None:
        nwb.write(record)
    if lab.diverged:
        print(f"hebblab: warning: the run diverged: {lab.diverged}", file=sys.stderr)
    if args.json:
        print(dumps_record(record))
        return 0
    print(summary(lab, plan, record))
    plot = sys.stdout.isatty() if args.plot is None else args.plot
    if plot:
        print()
        from hebblab.cli.terminal_charts import use_color

        print(charts(lab, color=use_color(sys.stdout)))
    if args.out is not None:
        import shlex
        from pathlib import Path

        out = Path(args.out)  # "runs/x/" -> "runs/x"; quoted so the hint can be pasted
        print(f"\nwrote {out}/ (experiment.toml, metrics.json, series.npz, CSV); "
              f"replay: hebblab run --config {shlex.quote(str(out / 'experiment.toml'))}")
    return 0


def summary(lab, plan, record) -> str:
    """Readable text: what ran, readouts with units, notes, remaining metrics."""
    from hebblab.format import fmt_value, with_unit

    simulated = f"{lab.t_ms:.10g} ms simulated"
    if lab.diverged and lab.t_ms < plan.duration_ms - lab.dt_ms / 2:
        simulated += f" of {plan.duration_ms:.10g} ms (stopped early: the run diverged)"
    elif not math.isclose(lab.t_ms, plan.duration_ms, rel_tol=1e-9, abs_tol=1e-12):
        simulated += f" ({plan.duration_ms:.10g} ms asked for, rounded to whole {lab.dt_ms:g} ms steps)"
    lines = [f"{lab.name}: {lab.title}" if lab.title else lab.name,
             f"preset {plan.preset} | seed {plan.seed} | {simulated}"]
    preset_params = lab.resolve_params(plan.preset)
    changed = {k: v for k, v in lab.params.items() if preset_params.get(k) != v}
    if changed:
        lines.append("changed: " + ", ".join(f"{k}={lab.spec(k).format(v)}" for k, v in changed.items()))
    readouts = lab.readouts()
    units = {r.name: r.unit for r in lab.readout_specs}
    if readouts:
        lines.append("")
        lines.append("readouts:")
        width = max(len(k) for k in readouts)
        for name, value in readouts.items():
            metric = record["metrics"].get(name)
            # a yes/no metric (hebb's weights_changed) is a 0/1 float among the readouts
            text = fmt_value(metric if isinstance(metric, bool) else value)
            lines.append(f"  {name.ljust(width)}  {with_unit(text, units.get(name, ''))}")
    notes = lab.notes()
    if notes:
        lines.append("")
        lines.append("notes:")
        lines += [f"  - {note}" for note in notes]
    extra = {k: v for k, v in record["metrics"].items() if k not in readouts}
    if extra:
        lines.append("")
        lines.append("metrics:")
        width = max(len(k) for k in extra)
        for name, value in extra.items():
            lines.append(f"  {name.ljust(width)}  {fmt_value(value)}")
    return "\n".join(lines)


def charts(lab, color: bool) -> str:
    import shutil

    from hebblab.cli.terminal_charts import render_all

    width = min(120, shutil.get_terminal_size((100, 30)).columns)
    return render_all(lab.series().values(), width=width, height=16, color=color)
