"""`hebblab tui` and `hebblab serve`: arguments are validated before Textual starts (one-line
error, exit 2), and serve binds to 127.0.0.1 unless --host is given."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hebblab.cli.main import main


@pytest.mark.parametrize("argv, message", [
    (["tui", "nope"], "lab: unknown lab 'nope'"),
    (["tui", "hebb", "--preset", "gro"], "did you mean 'grow'"),
    (["tui", "lif", "--set", "tau_m_ms=-3"], "tau_m_ms: out of range"),
    (["tui", "lif", "--set", "tau_m_msx=3"], "tau_m_msx: unknown parameter"),
    (["tui", "lif", "--set", "oops"], "--set: expected NAME=VALUE"),
    (["tui", "lif", "--seed", "-1"], "seed: expected an integer"),
    (["tui", "lif", "--fps", "0"], "--fps: out of range"),
    (["tui", "chapter", "--set", "eta=2"], "eta: out of range"),  # chapter: --set goes to hebb
    (["serve", "--port", "70000"], "--port: out of range"),
    (["serve", "--port", "x"], "--port: expected an integer"),
    (["serve", "nope"], "lab: unknown lab 'nope'"),
])
def test_bad_arguments_are_one_line_errors_with_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and err.startswith("hebblab: error: ")


def test_tui_refuses_without_a_terminal():
    proc = subprocess.run([sys.executable, "-m", "hebblab", "tui", "lif"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 2
    assert "needs an interactive terminal" in proc.stderr and "Traceback" not in proc.stderr


def test_serve_binds_localhost_unless_host_given(monkeypatch):
    from hebblab.cli.commands import serve

    calls = []

    class FakeServer:
        def serve(self):
            pass

    monkeypatch.setattr(serve, "bind", lambda host, port: calls.append((host, port)) or [])
    monkeypatch.setattr(serve, "bound_server_class", lambda: lambda command, socks, **kw: calls.append(command) or FakeServer())
    assert main(["serve"]) == 0
    assert main(["serve", "hebb", "--port", "9001", "--host", "0.0.0.0"]) == 0
    (host1, port1), cmd1, (host2, port2), cmd2 = calls
    assert (host1, port1) == ("127.0.0.1", 8000)
    assert (host2, port2) == ("0.0.0.0", 9001)
    assert cmd1.endswith("-m hebblab tui chapter") and cmd2.endswith("tui hebb")
