"""`hebblab serve`: the same live lab in a web browser, through textual-serve.

Bound to 127.0.0.1 unless --host is given explicitly: the app can write files (export,
screenshots) and has no login, so it is not offered to the network by default, and any
address other machines can reach gets a warning.

The port is bound before anything is announced, so "port in use", "not an address of this
machine" and "no such host" are one-line errors (exit 2), never a traceback after a
"serving on" line. The page textual-serve sends tells the browser where to fetch its
assets and websocket (`--public-url`); by default that is the address served on, or, for
0.0.0.0 and ::, this machine's address on its default route, which other machines can use.
ctrl+c, TERM and HUP stop the server (exit 0).
"""

from __future__ import annotations

import errno
import ipaddress
import shlex
import socket
import sys
import tempfile

from hebblab.sim.params import ParamSpec

HELP_ORDER = 6
PORT = ParamSpec("--port", 8000, "", 1, 65535, kind="int", help="TCP port")
LOOPBACK = "127.0.0.1"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve", help="serve the live lab to a web browser (textual-serve)",
        description="Serve `hebblab tui` to a browser. Listens on 127.0.0.1 unless --host is given. "
        "The lab has no login and writes files on this machine: offer it only to a network you trust.")
    p.add_argument("lab", nargs="?", default="chapter", metavar="LAB",
                   help="lab to open (default: the chapter view)")
    p.add_argument("--port", default="8000", help="TCP port, 1..65535 (default 8000)")
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1; "
                   "0.0.0.0 or :: for every interface)")
    p.add_argument("--public-url", metavar="URL", default=None,
                   help="the address browsers use to reach this server, e.g. behind a proxy "
                   "(default: http://HOST:PORT; for 0.0.0.0 or :: this machine's address)")
    p.add_argument("--low-bandwidth", action="store_true",
                   help="for slow links: each session runs `hebblab tui --low-bandwidth` (fewer frames, "
                   "redraws paced to a smaller budget)")
    p.set_defaults(func=run)


def validate(args) -> tuple[str, str, int, str | None]:
    from hebblab.sim.labs import get_lab
    from hebblab.sim.params import ParamError

    if args.lab != "chapter":
        get_lab(args.lab)
    port = PORT.parse(args.port)
    host = LOOPBACK if args.host is None else args.host.strip()
    if host.startswith("[") and host.endswith("]"):  # [::1], as written in a URL
        host = host[1:-1]
    if not host:
        raise ParamError("--host", "expected an address such as 127.0.0.1 or 0.0.0.0, got ''")
    public = None if getattr(args, "public_url", None) is None else check_public_url(args.public_url)
    return args.lab, host, port, public


def check_public_url(text: str) -> str:
    """An http(s) URL with a host and nothing after the path (textual-serve appends /ws,
    /static/...); the trailing slash is dropped."""
    from urllib.parse import urlsplit

    from hebblab.errors import UsageError

    url = text.strip().rstrip("/")
    bad = UsageError(f"--public-url: expected http://HOST[:PORT][/PATH] or https://..., got {text!r}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in 0..65535
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or any(c.isspace() for c in url):
        raise bad
    return url


def url_host(host: str) -> str:
    """A host as written in a URL: IPv6 addresses in brackets (http://[::1]:8000)."""
    return f"[{host}]" if ":" in host else host


def bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for every address `host` names, or UsageError saying what is wrong.
    An address family this machine lacks (localhost's ::1 without IPv6) is skipped as long
    as another address could be bound; a port in use anywhere is an error."""
    from hebblab.errors import UsageError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise UsageError(f"--host: cannot resolve {host!r} ({reason}); give a name or address of this "
                         "machine, e.g. 127.0.0.1, ::1 or 0.0.0.0") from None
    socks: list[socket.socket] = []
    failures: list[tuple[str, OSError]] = []
    seen = set()
    for family, kind, proto, _, addr in infos:
        if (family, addr[0]) in seen:
            continue
        seen.add((family, addr[0]))
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp: restart at once
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # as asyncio does
            sock.bind(addr)
            sock.listen(128)
        except OSError as err:
            sock.close()
            failures.append((addr[0], err))
            continue
        socks.append(sock)
    fatal = [f for f in failures if f[1].errno not in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT)]
    if fatal or not socks:
        for s in socks:
            s.close()
        address, err = (fatal or failures)[0]
        raise UsageError(_bind_error(host, address, port, err))
    return socks


def _bind_error(host: str, address: str, port: int, err: OSError) -> str:
    where = host if host == address else f"{host} ({address})"
    if err.errno == errno.EADDRINUSE:
        return f"--port: {port} is already in use on {where}; choose another with --port"
    if err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return (f"--host: {where} is not an address of this machine; use {LOOPBACK} (this machine "
                "only) or 0.0.0.0 (every interface)")
    if err.errno == errno.EACCES:
        return f"--port: {port}: permission denied (ports below 1024 need privileges); use 1024..65535"
    return f"--host: cannot listen on {where} port {port}: {err.strerror or err}"


def is_wildcard(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_unspecified
    except ValueError:
        return False


def reachable_from_elsewhere(socks: list[socket.socket]) -> bool:
    """Whether any bound address is more than loopback (0.0.0.0, a LAN address, ...)."""
    for sock in socks:
        address = sock.getsockname()[0].split("%")[0]
        try:
            if not ipaddress.ip_address(address).is_loopback:
                return True
        except ValueError:
            return True
    return False


def this_machine(family: int = socket.AF_INET) -> str:
    """This machine's address on its default route (what other machines reach it by); no
    packet is sent: connecting a UDP socket only picks the route. Else its host name."""
    probe = "192.0.2.1" if family == socket.AF_INET else "2001:db8::1"  # documentation ranges
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))
            address = s.getsockname()[0]
        if not ipaddress.ip_address(address).is_unspecified:
            return address
    except OSError:
        pass
    return socket.gethostname()


def default_public_url(host: str, port: int) -> str:
    if is_wildcard(host):
        host = this_machine(socket.AF_INET6 if ":" in host else socket.AF_INET)
    return f"http://{url_host(host)}:{port}"


def command_line(lab: str, low_bandwidth: bool = False) -> str:
    """The command textual-serve runs per browser session (this Python, this package)."""
    return shlex.join([sys.executable, "-m", "hebblab", "tui", lab] + (["--low-bandwidth"] if low_bandwidth else []))


def run(args) -> int:
    lab, host, port, public = validate(args)
    server_class = bound_server_class()  # import aiohttp first: once announced, serving starts at once
    socks = bind(host, port)
    try:
        public = public or default_public_url(host, port)
        if reachable_from_elsewhere(socks):
            print(f"hebblab: warning: {url_host(host)}:{port} can be reached from other machines; the lab "
                  "has no login and writes files on this machine (exports, screenshots): "
                  "serve only on a network you trust", file=sys.stderr)
        listening = f"http://{url_host(host)}:{port}"
        shown = listening if public == listening else f"{listening} as {public}"
        print(f"hebblab: serving {lab} on {shown} (ctrl+c stops)", file=sys.stderr)
        sys.stderr.flush()
        with tempfile.TemporaryDirectory(prefix="hebblab-serve-") as templates:
            server_class(command_line(lab, bool(getattr(args, "low_bandwidth", False))), socks, host=host,
                         port=port, title="hebblab", public_url=public,
                         templates_path=offline_templates(templates)).serve()
    finally:
        for s in socks:
            s.close()
    return 0


FONT_FACES = """<style>
      @font-face { font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
      @font-face { font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
    </style>"""


def offline_page(template: str) -> str:
    """textual-serve's page template with its one request to another host, the Roboto Mono
    stylesheet from Google Fonts, replaced by the same font from textual-serve's own static
    files: an offline classroom gets the whole page from hebblab."""
    import re

    return re.sub(r'<link\b[^>]*\bhref="(?:https?:)?//[^"]*"[^>]*>', lambda _: FONT_FACES, template, flags=re.S)


def offline_templates(folder) -> str:
    """Write the page template into `folder` (a temporary directory); returns its path."""
    from pathlib import Path

    import textual_serve

    source = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    Path(folder, "app_index.html").write_text(offline_page(source.read_text(encoding="utf-8")), encoding="utf-8")
    return str(folder)


def bound_server_class():
    """textual-serve's Server, serving on sockets bound already (its own serve() binds inside
    the event loop, after its startup banner, where a busy port becomes a traceback)."""
    import asyncio
    import signal

    from aiohttp import web
    from textual_serve.server import Server

    class BoundServer(Server):
        def __init__(self, command: str, socks: list[socket.socket], **kwargs):
            super().__init__(command, **kwargs)
            self.socks = socks

        async def on_startup(self, app) -> None:
            pass  # the command announced itself once bound

        def serve(self, debug: bool = False) -> None:
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            for name in ("SIGINT", "SIGTERM", "SIGHUP"):
                signum = getattr(signal, name, None)
                if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:  # nohup
                    loop.add_signal_handler(signum, self.request_exit)
            web.run_app(self._make_app(), sock=self.socks, handle_signals=False, loop=loop,
                        print=lambda *a: None)

    return BoundServer
