"""A real-terminal smoke test: tmux runs `hebblab` (the chapter view) at 120x40, keys are
sent like a user would, and the pane is read back.

Asserts that the charts drew, biological time advanced while running and stopped when
paused, a parameter changed on the screen, the help screen opened, `q` exited with status
0, and no traceback ever appeared. Skipped only when tmux is not installed (.ci/run
installs it).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")

EXIT_MARK = "HEBBLAB-EXIT="


def hebblab_command() -> list[str]:
    script = Path(sys.executable).with_name("hebblab")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hebblab"]


class Pane:
    def __init__(self, socket: str, tmp: Path):
        self.base = [TMUX, "-L", socket]
        self.target = "smoke"
        self.tmp = tmp
        self.captures: list[str] = []
        self.shells: list[str] = []  # pids of the shells the app runs under

    def tmux(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], check=True, capture_output=True, text=True, timeout=10).stdout

    def start(self, command: list[str]) -> None:
        shell = f"cd {shlex.quote(str(self.tmp))} && {shlex.join(command)}; echo {EXIT_MARK}$?; sleep 60"
        # COLUMNS/LINES (pytest-xdist workers set them) would pin the app's terminal size.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        subprocess.run([*self.base, "new-session", "-d", "-s", self.target, "-x", "120", "-y", "40", shell],
                       check=True, env=env, timeout=10)
        self.shells.append(self.tmux("display", "-p", "-t", self.target, "#{pane_pid}").strip())

    def close(self) -> None:
        """End tmux, and any app it leaves behind: a hung app must not outlive the test."""
        apps = [int(pid) for shell in self.shells
                for pid in subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()]
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10)
        deadline = time.monotonic() + 3  # the terminal closed: HUP quits the app
        while apps and time.monotonic() < deadline:
            apps = [pid for pid in apps if _alive(pid)]
            time.sleep(0.1)
        for pid in apps:
            os.kill(pid, signal.SIGKILL)

    def capture(self) -> str:
        text = self.tmux("capture-pane", "-p", "-t", self.target)
        self.captures.append(text)
        return text

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.target, *keys)

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.capture()
            if re.search(pattern, text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} never appeared; last screen:\n{text}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def sim_time_ms(screen: str) -> float:
    match = re.search(r"t=([0-9.]+) (ms|s)\b", screen)
    assert match, f"no time in the status line:\n{screen}"
    value = float(match.group(1))
    return value * 1000 if match.group(2) == "s" else value


def settled_time_ms(pane: Pane, tries: int = 10) -> float:
    """The status line's time once two captures half a second apart agree."""
    before = sim_time_ms(pane.capture())
    for _ in range(tries):
        time.sleep(0.5)
        now = sim_time_ms(pane.capture())
        if now == before:
            return now
        before = now
    raise AssertionError(f"time kept changing for {tries / 2:g} s: {before} ms")


def test_hebblab_in_tmux(tmp_path):
    socket = f"hebblab-smoke-{os.getpid()}"
    pane = Pane(socket, tmp_path)
    try:
        pane.start(hebblab_command())
        pane.wait_for(r"Membrane potential.*\n(.*\n)*.*running")
        # charts drew: braille trace points on plot axes, the heat-map with its legend (all in
        # one capture; tmux may capture while the app's first full screen is still arriving)
        screen = pane.wait_for(r"(?s)(?=.*[\u2801-\u28ff])(?=.*┤)(?=.*Weights w\[pre, post\])(?=.*post cell)")
        first = sim_time_ms(screen)
        time.sleep(1.0)
        later = sim_time_ms(pane.capture())
        assert later > first  # biological time advances while running

        pane.keys("Space")
        paused = pane.wait_for(r"paused")
        t_paused = settled_time_ms(pane)  # the frame in flight when the key came may still land
        time.sleep(1.0)
        assert sim_time_ms(pane.capture()) == t_paused  # nothing steps while paused

        assert re.search(r"tau_m_ms\s+20 ms", paused)
        pane.keys("Right")  # the first parameter: lif tau_m_ms, one step up
        pane.wait_for(r"tau_m_ms\s+21 ms")

        pane.keys("?")
        pane.wait_for(r"hebblab keys")
        pane.keys("Escape")
        pane.wait_for(r"^(?![\s\S]*hebblab keys)")  # the help screen closed

        pane.keys("q")
        final = pane.wait_for(EXIT_MARK + r"\d+")
        assert EXIT_MARK + "0" in final
    finally:
        pane.close()
    for text in pane.captures:
        assert "Traceback" not in text and "Error" not in text, text


def test_ctrl_c_quits_and_restores_the_terminal(tmp_path):
    socket = f"hebblab-smoke-c-{os.getpid()}"
    pane = Pane(socket, tmp_path)
    try:
        pane.start(hebblab_command() + ["tui", "lif"])
        pane.wait_for(r"running")
        pane.keys("C-c")
        final = pane.wait_for(EXIT_MARK + r"\d+")
        assert EXIT_MARK + "0" in final
        # back on the normal screen: the shell's output, no leftover app drawing
        assert "Membrane potential" not in final
        assert pane.tmux("display", "-p", "-t", pane.target, "#{alternate_on}").strip() == "0"
    finally:
        pane.close()
    for text in pane.captures:
        assert "Traceback" not in text, text
