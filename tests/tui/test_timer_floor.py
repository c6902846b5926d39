"""A timer with a negative delay must fire, not freeze the app (Textual 8.2.8's Timer spun
forever on one: a toast whose notification expired as it was mounted did that)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROGRAM = """
import asyncio
import hebblab.tui.app  # installs the floor{install}
from textual.app import App

fired = []

class A(App):
    def on_mount(self):
        self.set_timer(-0.001, lambda: fired.append(1))  # a toast's timeout, gone negative

async def main():
    async with A().run_test() as pilot:
        await asyncio.sleep(0.2)
    print("fired" if fired else "not fired")

asyncio.run(main())
"""


@pytest.mark.parametrize("install", [True, False])
def test_a_negative_timer_fires_and_the_app_goes_on(install):
    # Without the floor (its install undone), the event loop never returns: the run times out
    # (after 6 s: a working run takes about 2; with the floor, a loaded machine gets 30).
    undo = "" if install else "\nfrom textual.timer import Timer; Timer.__init__ = Timer.__init__.__wrapped__"
    try:
        proc = subprocess.run([sys.executable, "-c", PROGRAM.format(install=undo)], capture_output=True,
                              text=True, timeout=30 if install else 6)
    except subprocess.TimeoutExpired:
        assert not install, "the app froze on a negative timer"
        return
    assert install, "without the floor the app should freeze (Textual fixed its Timer? then drop the floor)"
    assert proc.returncode == 0 and proc.stdout.strip() == "fired", proc.stderr[-2000:]
