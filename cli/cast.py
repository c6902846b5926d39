"""Record a terminal program into an asciicast v2 file (the format asciinema plays).

The program runs in a pseudo-terminal of a fixed size, as it would in a real one; every
chunk it writes becomes one event line `[seconds, "o", text]` after a JSON header line
`{"version": 2, "width": W, "height": H, ...}`. Nothing here knows about Textual: `hebblab
record` runs `hebblab tui` this way (see cli/commands/record.py).
"""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from typing import Callable

from hebblab.asciicast import Recording  # the writer, shared with the TUI's recorder (key ctrl+r)


class PtyProgram:
    """A child process on a pseudo-terminal of `width` x `height` cells."""

    def __init__(self, argv: list[str], width: int, height: int, cwd: str | None = None,
                 env: dict[str, str] | None = None):
        self.width, self.height = width, height
        child_env = {**(env if env is not None else os.environ), "TERM": "xterm-256color",
                     "COLUMNS": str(width), "LINES": str(height)}
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the program (never returns)
            try:
                if cwd is not None:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, child_env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.status: int | None = None

    def read(self, timeout: float) -> str:
        """What the program wrote within `timeout` seconds ('' if nothing; '' at its end)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return ""
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program closed the terminal (it exited)
            return ""
        return self._decoder.decode(data)

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def alive(self) -> bool:
        if self.status is not None:
            return False
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return True
        self.status = os.waitstatus_to_exitcode(status)
        return False

    def wait(self, timeout: float, drain: Callable[[str], None] = lambda _: None) -> int | None:
        """Exit status after at most `timeout` s (reading what it still writes), else None."""
        end = time.monotonic() + timeout
        while self.alive() and time.monotonic() < end:
            drain(self.read(0.05))
        return self.status

    def stop(self) -> None:
        """End the program for good: TERM, then KILL; close the terminal."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not self.alive():
                break
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                break
            self.wait(3.0)
        try:
            os.close(self.fd)
        except OSError:
            pass


def record(program: PtyProgram, seconds: float, recording: Recording,
           until: Callable[[], bool] = lambda: False) -> None:
    """Append what `program` writes for `seconds` (or until it exits, or `until()`)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and program.alive() and not until():
        text = program.read(0.05)
        if text:
            recording.events.append((time.monotonic() - recording.origin, text))
