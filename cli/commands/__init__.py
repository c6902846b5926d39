"""hebblab's subcommands: one module per command, discovered by cli/main.py.

Each module defines
    register(subparsers) -> None   add its parser: subparsers.add_parser(NAME, help=...)
                                   and parser.set_defaults(func=run)
    run(args) -> int               do the work; return the exit status
and optionally HELP_ORDER (int, smaller first in `hebblab --help`; default 50).

Rules, because cli.py imports every module here just to build the parser:
- import only the stdlib and `sim` at module top; import textual, rich, plotext and
  anything slow inside run() (the headless path must not load textual: a test checks).
- report bad input by raising hebblab.sim.params.ParamError or hebblab.errors.UsageError; cli.main
  prints `hebblab: error: <message>` and returns 2.
"""
