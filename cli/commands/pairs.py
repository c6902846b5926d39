"""`hebblab pairs LAB`: a lab's comparison presets, with what each compares and what to look for."""

from __future__ import annotations

HELP_ORDER = 25


def register(subparsers) -> None:
    p = subparsers.add_parser("pairs", help="list a lab's comparison pairs (for hebblab compare --pair)",
                              description="List a lab's comparison pairs: what A and B set and what to look for.")
    p.add_argument("lab", metavar="LAB", help="lab name (see `hebblab labs`)")
    p.set_defaults(func=run)


def run(args) -> int:
    import textwrap

    from hebblab.sim.compare import pair_text, pairs_of
    from hebblab.sim.labs import get_lab

    lab_cls = get_lab(args.lab)
    pairs = pairs_of(lab_cls)
    if not pairs:
        print(f"{lab_cls.name}: no comparison pairs (compare any two settings with --a and --b)")
        return 0
    for pair in pairs:
        text = pair_text(lab_cls, pair)  # the same pieces as the TUI's pair picker (B)
        print(f"{pair.name}  {text.settings}")
        print(textwrap.fill(text.paragraph, width=96, initial_indent="    ", subsequent_indent="    "))
    return 0
