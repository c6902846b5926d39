"""TERM, HUP and INT stop hebblab the way ctrl+c does: real processes, real signals.

A sweep's worker processes are gone after its parent exits; a run or sweep stopped while
it writes --out leaves neither the directory nor a `.NAME.tmp-*` twin (nor the parents it
made); the exit status is 128 + the signal number. `hebblab serve` listens before it says so
and stops cleanly; `hebblab tui` quits through Textual on TERM and HUP.

Processes are watched through /proc (no psutil): a process counts as gone once /proc has no
entry for it or it is a zombie (dead, waiting to be reaped by whoever adopted it).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from hebblab.interrupts import Interrupted, handled, held

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")

HEBBLAB = [sys.executable, "-m", "hebblab"]
LONG_SWEEP = ["sweep", "lif", "--vary", "I_ext_nA=1:3:1", "--set", "dt_ms=0.01", "--duration", "3600000",
              "--jobs", "2", "--json"]


# -- watching processes -----------------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # [state, ppid, ...]: the name may hold spaces


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler for signum (so the signal will not just kill it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next(int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(mask >> (signum - 1) & 1)


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def start(argv: list[str], cwd: Path, **kwargs) -> subprocess.Popen:
    # its own session: a signal to its group reaches no test runner
    return subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs)


def finish(proc: subprocess.Popen, timeout: float = 20) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"still running {timeout} s after the signal; stderr: {err}")
    return proc.returncode, out, err


def stopped_cleanly(code: int, err: str, signum: int) -> None:
    assert code == 128 + signum, err
    assert "Traceback" not in err, err
    assert err.count("\n") == 1 and err.startswith("hebblab: "), err


# -- sweep: workers stopped -------------------------------------------------------------------
@pytest.mark.parametrize("signum, group", [(signal.SIGTERM, False), (signal.SIGHUP, False),
                                           (signal.SIGINT, True)],  # ctrl+c: the terminal signals the group
                         ids=["TERM", "HUP", "INT to the group"])
def test_a_stop_signal_ends_a_sweep_and_its_workers(tmp_path, signum, group):
    proc = start([*HEBBLAB, *LONG_SWEEP, "--out", str(tmp_path / "out")], tmp_path)
    try:
        wait_until(lambda: catches(proc.pid, signal.SIGTERM), 30, "hebblab to install its handlers")
        # the forkserver, its resource tracker, and two workers running points
        family = wait_until(lambda: (lambda d: d if len(d) >= 4 else None)(descendants(proc.pid)), 30,
                            "two workers")
        time.sleep(0.3)
        (os.killpg if group else os.kill)(proc.pid, signum)
        code, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    stopped_cleanly(code, err, signum)
    assert out == ""
    wait_until(lambda: not any(alive(p) for p in family), 10, f"workers {family} to exit")
    assert list(tmp_path.iterdir()) == []


# -- --out: no partial directory --------------------------------------------------------------
SLOW_WRITE = """
import sys, time, pathlib
ready = pathlib.Path(sys.argv[1])
module, name = sys.argv[2].rsplit(".", 1)
import importlib
target = importlib.import_module(module)
real = getattr(target, name)
def slow(*args, **kwargs):
    result = real(*args, **kwargs)
    ready.write_text("writing")  # half the files are in the temporary directory now
    time.sleep(60)
    return result
setattr(target, name, slow)
from hebblab.cli.main import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("command, hook, signum", [
    (["run", "lif", "--duration", "50"], "hebblab.runfiles._write_csv", signal.SIGTERM),
    (["run", "lif", "--duration", "50"], "hebblab.runfiles._write_csv", signal.SIGHUP),
    (["run", "lif", "--duration", "50"], "hebblab.runfiles._write_csv", signal.SIGINT),
    (["sweep", "lif", "--vary", "I_ext_nA=1:2:1", "--duration", "50", "--jobs", "1"],
     "hebblab.cli.commands.sweep.csv_rows", signal.SIGTERM),
], ids=["run TERM", "run HUP", "run INT", "sweep TERM"])
def test_a_stop_signal_during_an_out_write_leaves_nothing(tmp_path, command, hook, signum):
    ready = tmp_path / "ready"
    parent = tmp_path / "new" / "parents"
    proc = start([sys.executable, "-c", SLOW_WRITE, str(ready), hook, *command, "--out", str(parent / "run")],
                 tmp_path)
    try:
        wait_until(ready.exists, 60, "the write to start")
        [partial] = parent.iterdir()  # caught mid-write
        assert partial.name.startswith(".run.tmp-")
        assert any(partial.iterdir()) or "sweep" in hook  # run: a CSV is written; sweep: before its CSV
        os.kill(proc.pid, signum)
        code, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    stopped_cleanly(code, err, signum)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ready"]  # not even the parents it made


def test_a_run_stopped_mid_simulation_writes_nothing(tmp_path):
    proc = start([*HEBBLAB, "run", "lif", "--set", "dt_ms=0.01", "--duration", "3600000",
                  "--out", str(tmp_path / "out")], tmp_path)
    try:
        wait_until(lambda: catches(proc.pid, signal.SIGTERM), 30, "hebblab to install its handlers")
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGTERM)
        code, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    stopped_cleanly(code, err, signal.SIGTERM)
    assert err == "hebblab: stopped by SIGTERM\n"
    assert list(tmp_path.iterdir()) == []


# -- the mechanism, in this process -----------------------------------------------------------
main_thread_only = pytest.mark.skipif(
    __import__("threading").current_thread() is not __import__("threading").main_thread(),
    reason="signal handlers are set from the main thread")


@main_thread_only
def test_held_delays_a_signal_to_the_end_of_the_section():
    reached = []
    with pytest.raises(Interrupted) as stop:
        with handled():
            with held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.01)  # the handler runs here, between bytecodes: it must only record
                reached.append("end of section")
    assert reached == ["end of section"]
    assert stop.value.signum == signal.SIGTERM and stop.value.exit_status == 143


@main_thread_only
def test_a_signal_outside_held_is_raised_at_once():
    with pytest.raises(Interrupted):
        with handled():
            os.kill(os.getpid(), signal.SIGHUP)
            for _ in range(1000):
                time.sleep(0.001)
            raise AssertionError("not interrupted")


@main_thread_only
def test_handlers_are_restored_and_an_ignored_signal_stays_ignored():
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    old_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        with handled():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
        assert {s: signal.getsignal(s) for s in before} == before
    finally:
        signal.signal(signal.SIGHUP, old_hup)


def test_a_failed_write_interrupted_during_cleanup_still_cleans_up(tmp_path, monkeypatch):
    """The removal of the temporary directory is held: a signal arriving then cannot cut it short."""
    from hebblab.runfiles import write_atomically

    def fill(tmp):
        (tmp / "part").write_text("half")
        raise OSError("disk full")

    real_rmtree = shutil.rmtree

    def rmtree_with_a_signal(path, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.01)
        return real_rmtree(path, *args, **kwargs)

    if __import__("threading").current_thread() is not __import__("threading").main_thread():
        pytest.skip("signal handlers are set from the main thread")
    monkeypatch.setattr(shutil, "rmtree", rmtree_with_a_signal)
    with pytest.raises(Interrupted):
        with handled():
            write_atomically(tmp_path / "a" / "b", fill)
    assert list(tmp_path.iterdir()) == []


# -- serve --------------------------------------------------------------------------------------
def _free_port(family=socket.AF_INET, host="127.0.0.1") -> int:
    with socket.socket(family) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _read_stderr_until(proc: subprocess.Popen, text: str, timeout: float = 30) -> list[str]:
    """stderr's lines up to the first holding `text` (read from the pipe directly: a buffered
    reader could hold the line while select() says there is nothing more)."""
    import selectors

    fd = proc.stderr.fileno()
    data = b""
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sel.select(timeout=0.2):
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
            lines = data.decode().splitlines(keepends=True)
            for i, line in enumerate(lines):
                if text in line and line.endswith("\n"):
                    return lines[: i + 1]
    raise AssertionError(f"{text!r} never appeared on stderr: {data.decode()!r}")


def _serve(tmp_path, *args) -> subprocess.Popen:
    return start([*HEBBLAB, "serve", "lif", *args], tmp_path)


def _stop_server(proc: subprocess.Popen, signum=signal.SIGTERM) -> str:
    os.kill(proc.pid, signum)
    code, out, err = finish(proc)
    assert code == 0 and "Traceback" not in err and "Traceback" not in out, (out, err)
    return err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_serve_announces_once_listening_and_stops_on_a_signal(tmp_path, signum):
    port = _free_port()
    proc = _serve(tmp_path, "--port", str(port))
    try:
        lines = _read_stderr_until(proc, "serving")
        assert lines == [f"hebblab: serving lif on http://127.0.0.1:{port} (ctrl+c stops)\n"]  # loopback: no warning
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # listening already
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
        assert f"ws://127.0.0.1:{port}/ws" in page
        _stop_server(proc, signum)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_on_every_interface_warns_and_publishes_the_public_url(tmp_path):
    port = _free_port()
    proc = _serve(tmp_path, "--host", "0.0.0.0", "--port", str(port), "--public-url", f"http://lab.example:{port}/")
    try:
        warning, announce = _read_stderr_until(proc, "serving")
        assert warning.startswith("hebblab: warning: 0.0.0.0:") and "no login" in warning
        assert announce == (f"hebblab: serving lif on http://0.0.0.0:{port} as http://lab.example:{port} "
                            "(ctrl+c stops)\n")
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
        assert f"ws://lab.example:{port}/ws" in page and f"http://lab.example:{port}/static/" in page
        _stop_server(proc)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_on_ipv6_loopback_prints_brackets(tmp_path):
    try:
        port = _free_port(socket.AF_INET6, "::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    proc = _serve(tmp_path, "--host", "::1", "--port", str(port))
    try:
        lines = _read_stderr_until(proc, "serving")
        assert lines == [f"hebblab: serving lif on http://[::1]:{port} (ctrl+c stops)\n"]
        page = urllib.request.urlopen(f"http://[::1]:{port}/", timeout=10).read().decode()
        assert f"ws://[::1]:{port}/ws" in page
        _stop_server(proc)
    finally:
        if proc.poll() is None:
            proc.kill()


# -- tui -------------------------------------------------------------------------------------------
TMUX = shutil.which("tmux")


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_tui_quits_through_textual_on_a_stop_signal(tmp_path, signum):
    server = [TMUX, "-L", f"hebblab-signals-{os.getpid()}-{signum}"]
    pid_file, rc_file = tmp_path / "pid", tmp_path / "rc"
    inner = f"echo $$ > {shlex.quote(str(pid_file))}; exec {shlex.join([*HEBBLAB, 'tui', 'lif'])}"
    shell = f"sh -c {shlex.quote(inner)}; echo $? > {shlex.quote(str(rc_file))}; sleep 30"
    env = {**os.environ, "TERM": "xterm-256color"}
    try:
        subprocess.run([*server, "new-session", "-d", "-x", "100", "-y", "30", shell], check=True, env=env,
                       timeout=10)
        pid = int(wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), 20, "the tui"))
        wait_until(lambda: catches(pid, signal.SIGTERM), 30, "the tui's handlers")

        def screen():
            return subprocess.run([*server, "capture-pane", "-p"], capture_output=True, text=True, timeout=10).stdout

        wait_until(lambda: "isi_rate_hz" in screen() or "rate" in screen(), 30, "the lab on screen")
        os.kill(pid, signum)
        code = int(wait_until(lambda: rc_file.exists() and rc_file.read_text().strip(), 15, "the tui to quit"))
        assert code == 128 + signum
        assert "Traceback" not in screen()
    finally:
        subprocess.run([*server, "kill-server"], capture_output=True, timeout=10)


@main_thread_only
def test_held_defers_a_custom_reaction_too():
    """The TUI reacts by asking Textual to quit: a signal during an export's commit must
    reach that reaction, not raise inside the event loop."""
    calls = []
    with handled(react=calls.append):
        with held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)
            assert calls == []
        assert calls == [signal.SIGTERM]
