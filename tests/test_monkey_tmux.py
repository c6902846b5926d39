"""A seeded monkey in a real terminal: random keys and resizes against `hebblab tui`.

tmux runs the app; bursts of random keys (several in one write, like a fast typist or a
slow link) go in between random resizes from 40x12 to 200x60, which cross the 80x24
floor both ways. Several labs, heavy ones included. The app must stay alive the whole
time, never print a traceback, and at the end `q` must exit with status 0 and leave the
terminal as it found it (normal screen, cursor shown, mouse reporting off).

Bounded in time (each lab gets MONKEY_SECONDS of keys). Every few seconds a checkpoint
waits until the app has handled all input so far (it draws the too-small notice for a
size only just set), so the monkey never runs minutes ahead of a slow machine; an app
that cannot catch up within CATCHUP_S fails. Seeds are fixed, so a failure replays;
HEBBLAB_MONKEY_SEED=N picks other seeds, HEBBLAB_MONKEY_SECONDS=S runs longer. Quitting
through the command palette (random typing + enter can pick "Quit") is a legitimate exit:
the app is started again and the monkey goes on. Whatever happens, no app process
outlives the test.
"""

from __future__ import annotations

import os
import random
import re
import time

import pytest

from tests.test_tmux_smoke import EXIT_MARK, TMUX, Pane, hebblab_command

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")

MONKEY_SECONDS = float(os.environ.get("HEBBLAB_MONKEY_SECONDS", "14"))
BASE_SEED = int(os.environ.get("HEBBLAB_MONKEY_SEED", "0"))
CHECKPOINT_S = 4.0  # keys between two waits for the app to catch up
CATCHUP_S = 60.0

# (lab, extra arguments): a network, the heaviest stdp the ranges allow, the chapter view
# (two labs), and the pairing protocols.
LABS = [
    ("ei", []),
    ("stdp", ["--set", "rate_hz=200", "--set", "n_inputs=10000"]),
    ("chapter", []),
    ("pairing", []),
]

# tmux key names. No q (quits from the lab screen), ctrl+c or ctrl+q (quit) and no
# ctrl+z (suspend): the monkey tests what a user does while using the app.
APP_KEYS = ["Space", "n", "r", "+", "-", "=", "p", "e", "f", "c", "i", "l", "?", "g", "F1", "C-s",
            "b", "B", "x", "m", "o", "C-r"]
MOVES = ["Up", "Down", "Left", "Right", "Tab", "BTab", "Home", "End", "PPage", "NPage", "S-Left", "S-Right"]
EDIT = list("0123456789.") + ["BSpace", "Enter", "Escape", "C-u", "-"]
TEXT = list("abdhjkmostuvwxyz")
WEIGHTED = APP_KEYS * 3 + MOVES * 3 + EDIT * 2 + TEXT + ["C-p"] * 4 + ["Enter"] * 6 + ["Escape"] * 6


def random_size(rng: random.Random) -> tuple[int, int]:
    if rng.random() < 0.4:  # hug the 80x24 floor: the too-small screen comes and goes
        return rng.randint(76, 84), rng.randint(21, 27)
    return rng.randint(40, 200), rng.randint(12, 60)


class Monkey:
    def __init__(self, pane: Pane, command: list[str], seed: int):
        self.pane = pane
        self.command = command
        self.rng = random.Random(seed)
        self.seed = seed
        self.log: list[str] = []  # the recent bursts, for the failure message
        self.keys_sent = 0
        self.restarts = 0

    def start(self) -> None:
        self.pane.start(self.command)
        self.pane.wait_for(r"running|paused|too small", timeout=30)

    def history(self) -> str:
        return self.pane.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", self.pane.target)

    def exited(self) -> str | None:
        """The exit status if the app has exited, else None."""
        match = re.search(EXIT_MARK + r"(\d+)", self.pane.capture())
        return match.group(1) if match else None

    def fail(self, why: str) -> None:
        raise AssertionError(f"{why} (seed {self.seed}); last bursts: {self.log[-30:]}\n"
                             f"screen:\n{self.pane.capture()}\nhistory:\n{self.history()[-4000:]}")

    def check_alive(self) -> None:
        status = self.exited()
        if status is None:
            return
        text = self.history()
        if status != "0" or "Traceback" in text:
            self.fail(f"the app exited with status {status}")
        self.restarts += 1  # "Quit" from the command palette: start again
        self.pane.tmux("kill-session", "-t", self.pane.target)
        self.start()

    def resize(self, width: int, height: int) -> None:
        self.log.append(f"resize {width}x{height}")
        self.pane.tmux("resize-window", "-t", self.pane.target, "-x", str(width), "-y", str(height))

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        checkpoint = time.monotonic() + CHECKPOINT_S
        while time.monotonic() < deadline:
            if self.rng.random() < 0.08:
                self.resize(*random_size(self.rng))
            burst = [self.rng.choice(WEIGHTED) for _ in range(self.rng.choice((1, 1, 2, 3, 5, 8)))]
            self.log.append(" ".join(burst))
            self.pane.tmux("send-keys", "-t", self.pane.target, "--", *burst)
            self.keys_sent += len(burst)
            time.sleep(self.rng.choice((0, 0, 0.002, 0.01, 0.03, 0.08)))
            if time.monotonic() >= checkpoint:
                self.catch_up()
                checkpoint = time.monotonic() + CHECKPOINT_S
        self.catch_up()

    def catch_up(self) -> None:
        """Wait until the app has handled every key sent so far: it draws the too-small
        notice with a size only just set."""
        width, height = self.rng.randint(50, 79), self.rng.randint(12, 23)
        self.resize(width, height)
        deadline = time.monotonic() + CATCHUP_S
        while time.monotonic() < deadline:
            screen = self.pane.capture()
            if f"(now {width}x{height};" in screen:
                return
            if EXIT_MARK in screen:
                self.check_alive()  # fails unless it was a clean quit; then started again
                return
            time.sleep(0.1)
        self.fail(f"the app did not catch up with its input within {CATCHUP_S:g} s")

    def quit(self) -> None:
        self.resize(120, 40)
        time.sleep(0.5)
        self.check_alive()
        for _ in range(6):  # close whatever is open (editor, palette, picker), then q
            self.pane.keys("Escape")
            time.sleep(0.3)
            self.pane.keys("q")
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                status = self.exited()
                if status is not None:
                    if status != "0":
                        self.fail(f"q exited with status {status}")
                    return
                time.sleep(0.1)
        self.fail("q did not exit")


@pytest.mark.parametrize("lab,extra", LABS, ids=[lab for lab, _ in LABS])
def test_monkey_keys_and_resizes(lab, extra, tmp_path):
    seed = BASE_SEED * 1000 + LABS.index((lab, extra))
    socket = f"hebblab-monkey-{lab}-{os.getpid()}"
    pane = Pane(socket, tmp_path)
    monkey = Monkey(pane, hebblab_command() + ["tui", lab, *extra], seed)
    try:
        monkey.start()
        monkey.run(MONKEY_SECONDS)
        monkey.quit()
        history = monkey.history()
        assert "Traceback" not in history, history[-6000:]
        modes = pane.tmux("display", "-p", "-t", pane.target,
                          "#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{mouse_button_flag} "
                          "#{mouse_standard_flag} #{mouse_all_flag}").split()
        assert modes == ["0", "1", "0", "0", "0", "0"], modes  # normal screen, cursor on, no mouse
    finally:
        pane.close()
    print(f"monkey {lab} seed {seed}: {monkey.keys_sent} keys, {monkey.restarts} restarts")
    assert monkey.keys_sent >= 300 and monkey.restarts <= 3, (monkey.keys_sent, monkey.restarts)
