"""`hebblab presets LAB`: a lab's presets (the first is the default)."""

from __future__ import annotations

import textwrap

HELP_ORDER = 20


def register(subparsers) -> None:
    p = subparsers.add_parser("presets", help="list a lab's presets",
                              description="List a lab's presets; the first is the default.")
    p.add_argument("lab", metavar="LAB", help="lab name (see `hebblab labs`)")
    p.set_defaults(func=run)


def run(args) -> int:
    from hebblab.sim.labs import get_lab

    lab = get_lab(args.lab)
    width = max(len(p.name) for p in lab.presets)
    for i, preset in enumerate(lab.presets):
        duration = preset.duration_ms if preset.duration_ms is not None else lab.default_duration_ms
        facts = [f"{duration:.10g} ms" + (f" = {duration / 1000:.10g} s" if duration >= 10_000 else "")]
        if preset.seed is not None:
            facts.append(f"seed {preset.seed}")
        if i == 0:
            facts.append("default")
        print(f"{preset.name.ljust(width)}  ({', '.join(facts)})")
        for line in textwrap.wrap(preset.description, 88):
            print(" " * (width + 2) + line)
    return 0
