"""TERM, HUP and INT stop a command the way ctrl+c does: an exception that unwinds it.

Python's default reaction to SIGTERM and SIGHUP is to die on the spot, skipping every
`finally`: a sweep's worker processes outlive it and an output directory half written
stays behind as `.NAME.tmp-*`. `handled()` (installed by the CLI around each command)
turns those signals, and INT, into `Interrupted`, a KeyboardInterrupt, so the cleanup
that ctrl+c already runs also runs for them; the CLI then exits 128 + the signal number.

`held()` marks a short section that must not be cut in half (removing a temporary
directory, renaming the finished one into place): a signal arriving inside it is raised
when the section ends.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

_held = 0  # depth of held() sections (the handler only ever runs in the main thread)
_pending: list[tuple[Callable[[int], None], int]] = []  # (reaction, signal) held back


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived. `exit_status` is the conventional 128 + signal number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def stop(signum: int) -> None:
    """The default reaction: unwind the command."""
    raise Interrupted(signum)


@contextmanager
def handled(react: Callable[[int], None] = stop, signals: tuple[int, ...] = SIGNALS) -> Iterator[None]:
    """Call `react(signum)` for INT, TERM and HUP inside the block (by default: raise
    Interrupted); restore the old handlers after it. A signal that is ignored (`nohup`, a
    shell's background job) stays ignored. An event loop passes a `react` that asks it to
    quit, since an exception raised inside the loop would skip its own cleanup."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def on_signal(signum: int, frame) -> None:
        if _held:
            _pending.append((react, signum))
            return
        react(signum)

    previous = {}
    for signum in signals:
        old = signal.getsignal(signum)
        if old is signal.SIG_IGN:
            continue
        previous[signum] = old
        signal.signal(signum, on_signal)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextmanager
def held() -> Iterator[None]:
    """Delay the reaction to INT/TERM/HUP until the block is over (it must be short). An
    exception already leaving the block gives way to the signal, which is what ends the
    command."""
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending:
            react, signum = _pending[0]
            _pending.clear()
            react(signum)
