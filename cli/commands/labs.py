"""`hebblab labs`: list the labs with one-line descriptions."""

from __future__ import annotations

import json

HELP_ORDER = 10


def register(subparsers) -> None:
    p = subparsers.add_parser("labs", help="list the labs", description="List the labs.")
    p.add_argument("--json", action="store_true", help="print a JSON object {name: summary}")
    p.set_defaults(func=run)


def run(args) -> int:
    from hebblab.sim.labs import all_labs
    from hebblab.cli.text_tables import text_table

    labs = all_labs()
    if args.json:
        print(json.dumps({name: lab.summary for name, lab in labs.items()}))
        return 0
    print(text_table(["lab", "description"], [[name, lab.summary] for name, lab in labs.items()]))
    return 0
