"""`hebblab export`: write a lab's experiment as a standalone Brian2 or NEST script.

    hebblab export ei --preset small --seed 3 --to nest --out cuba_nest.py
    python cuba_nest.py --threads 4            # or: mpirun -n 2 python cuba_nest.py

The script builds the same model (equations, parameters, connectivity rule, inputs,
plasticity, duration), runs it and prints one JSON object with the lab's headline metric
names. Input is checked as for `hebblab run`; the numpy engine's size limits do not apply.
"""

from __future__ import annotations

import sys

HELP_ORDER = 47


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="write the experiment as a standalone Brian2 or NEST script",
        description="Write one standalone, readable Python script that runs this experiment in "
        "Brian2 or NEST and prints one JSON object with the metric names of `hebblab run LAB "
        "--json`. Available for lif, ei and stdp.",
        epilog="example: hebblab export ei --preset small --to nest --out cuba.py && "
        "python cuba.py --threads 4")
    p.add_argument("lab", metavar="LAB", help="lab name: lif, ei or stdp")
    p.add_argument("--preset", metavar="P", help="preset name (see `hebblab presets LAB`)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], dest="sets",
                   help="set a parameter (repeatable; see `hebblab params LAB`)")
    p.add_argument("--seed", metavar="N", help="random seed written into the script")
    p.add_argument("--duration", metavar="MS", help="biological time to simulate, in ms")
    p.add_argument("--to", metavar="ENGINE", required=True, dest="engine",
                   help="brian2 or nest")
    p.add_argument("--out", metavar="FILE", help="write the script to FILE (default: stdout)")
    p.set_defaults(func=run)


def run(args) -> int:
    import shlex

    from hebblab.cli.run_inputs import plan_run, print_notices
    from hebblab.engines import ENGINES
    from hebblab.engines.export import check, render
    from hebblab.engines.limits import without_numpy_limits
    from hebblab.engines.files import check_out_file, write_text_file
    from hebblab.errors import UsageError

    if args.engine not in ENGINES:
        raise UsageError(f"--to: expected one of {', '.join(ENGINES)}, got {args.engine!r}")
    with without_numpy_limits():  # a script for another engine is not bound by ours
        plan = plan_run(args.lab, args.preset, args.sets, args.seed, args.duration)
    warnings = check(args.engine, plan.lab_cls, plan.params)
    if args.out is not None:
        check_out_file(args.out, "--out")
    print_notices(plan.notices)  # input is valid: say which old names were used
    command = shlex.join(["hebblab", "export", plan.lab_cls.name, "--preset", plan.preset]
                         + [x for item in args.sets for x in ("--set", item)]
                         + ["--seed", str(plan.seed), "--duration", f"{plan.duration_ms:g}", "--to", args.engine])
    text = render(args.engine, plan.lab_cls, plan.preset, plan.params, plan.seed, plan.duration_ms, command)
    for line in warnings:
        print(f"hebblab: warning: {line}", file=sys.stderr)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    write_text_file(args.out, text, executable=True, option="--out")
    how = "python {f} [--threads N]; under MPI: mpirun -n 4 python {f} --threads 2" if args.engine == "nest" \
        else "python {f} [--target cython]"
    print(f"wrote {args.out} ({args.engine} script); run it: " + how.format(f=shlex.quote(args.out)))
    return 0
