"""`hebblab serve`: the same live lab in a web browser, through textual-serve.

Bound to 127.0.0.1 unless --host is given explicitly: the app can write files (export,
screenshots), so it is not offered to the network by default.
"""

from __future__ import annotations

import shlex
import sys

from hebblab.sim.params import ParamSpec

HELP_ORDER = 6
PORT = ParamSpec("--port", 8000, "", 1, 65535, kind="int", help="TCP port")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve", help="serve the live lab to a web browser (textual-serve)",
        description="Serve `hebblab tui` to a browser. Listens on 127.0.0.1 unless --host is given.")
    p.add_argument("lab", nargs="?", default="chapter", metavar="LAB",
                   help="lab to open (default: the chapter view)")
    p.add_argument("--port", default="8000", help="TCP port, 1..65535 (default 8000)")
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    p.set_defaults(func=run)


def validate(args) -> tuple[str, str, int]:
    from hebblab.sim.labs import get_lab
    from hebblab.sim.params import ParamError

    if args.lab != "chapter":
        get_lab(args.lab)
    port = PORT.parse(args.port)
    host = "127.0.0.1" if args.host is None else args.host.strip()
    if not host:
        raise ParamError("--host", "expected an address such as 127.0.0.1 or 0.0.0.0, got ''")
    return args.lab, host, port


def command_line(lab: str) -> str:
    """The command textual-serve runs per browser session (this Python, this package)."""
    return shlex.join([sys.executable, "-m", "hebblab", "tui", lab])


def run(args) -> int:
    lab, host, port = validate(args)
    from textual_serve.server import Server

    print(f"hebblab: serving on http://{host}:{port} (ctrl+c stops)", file=sys.stderr)
    Server(command_line(lab), host=host, port=port, title="hebblab").serve()
    return 0
