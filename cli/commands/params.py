"""`hebblab params LAB`: the parameter table (name, default, unit, range, applies, help).

The help column ends with the names a parameter also answers to: "was X" for an old name
(docs/vocabulary.md), "also X" for a documented spelling such as the chapter's.
"""

from __future__ import annotations

HELP_ORDER = 30


def register(subparsers) -> None:
    p = subparsers.add_parser("params", help="show a lab's parameters",
                              description="Show a lab's parameters: default, unit, allowed range, "
                              "whether a change applies live or on reset, and help.")
    p.add_argument("lab", metavar="LAB", help="lab name (see `hebblab labs`)")
    p.add_argument("--preset", metavar="P", help="show the values this preset uses")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    p.set_defaults(func=run)


def value_range(spec) -> str:
    if spec.kind == "bool":
        return "on/off"
    if spec.kind == "choice":
        return " / ".join(spec.choices)
    lo = "-inf" if spec.min is None else f"{spec.min:g}"
    hi = "inf" if spec.max is None else f"{spec.max:g}"
    return f"{lo} .. {hi}"


def help_text(spec) -> str:
    other = [f"was {name}" for name in spec.aliases] + [f"also {name}" for name in spec.synonyms]
    return f"{spec.help} [{'; '.join(other)}]" if other else spec.help


def run(args) -> int:
    from hebblab.sim.labs import get_lab
    from hebblab.cli.text_tables import markdown_table, text_table

    lab = get_lab(args.lab)
    values = lab.resolve_params(args.preset) if args.preset else None
    header = ["name", f"value ({args.preset})" if args.preset else "default", "unit", "range",
              "applies", "help"]
    rows = []
    for spec in lab.specs:
        value = values[spec.name] if values is not None else spec.default
        rows.append([spec.name, spec.format(value), spec.unit, value_range(spec),
                     "live" if spec.live else "reset", help_text(spec)])
    if args.markdown:
        rows = [[f"`{r[0]}`", *r[1:]] for r in rows]
        print(markdown_table(header, rows))
    else:
        print(text_table(header, rows))
    return 0
