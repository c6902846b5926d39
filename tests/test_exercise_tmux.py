"""A real terminal answers one exercise: tmux runs `hebblab` (the chapter view) at 120x40;
`x` opens the exercise list, enter the chapter's first exercise, `1` predicts (the
chapter's own, wrong, hint), and the measured verdict, the numbers and the tally appear
while the comparison runs in the lab view. Skipped only when tmux is not installed."""

from __future__ import annotations

import os
import re

import pytest

from tests.test_tmux_smoke import EXIT_MARK, TMUX, Pane, hebblab_command

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def test_answer_an_exercise_in_tmux(tmp_path):
    pane = Pane(f"hebblab-exercise-{os.getpid()}", tmp_path)
    try:
        pane.start(hebblab_command())
        pane.wait_for(r"running")
        pane.keys("x")
        listing = pane.wait_for(r"Exercises: none answered yet")
        assert re.search(r"ex1-tau40\s+lif", listing) and "the chapter's exercises first" in listing
        pane.keys("Enter")
        pane.wait_for(r"Press 1-4 to predict")
        pane.keys("1")  # "it goes up": the chapter's hint, which the measurement refutes
        verdict = pane.wait_for(r"0/1 right")
        assert "Wrong." in verdict and "measured answer: 2. It goes down" in verdict
        assert re.search(r"b\.isi_rate_hz\s+9\.4", verdict)  # tau_m 40 ms halves 18.95 Hz
        pane.wait_for(r"\(A vs B\)")  # the comparison opens in the lab view behind

        pane.keys("Escape")
        pane.wait_for(r"^(?![\s\S]*0/1 right)")  # the exercise screen closed, the lab stays
        pane.keys("x")
        pane.wait_for(r"ex1-tau40\s+lif\s+✗ wrong \(1; measured 2\)")
        pane.keys("Escape")
        pane.wait_for(r"^(?![\s\S]*Exercises:)")
        pane.keys("q")
        final = pane.wait_for(EXIT_MARK + r"\d+")
        assert EXIT_MARK + "0" in final
    finally:
        pane.close()
    for text in pane.captures:
        assert "Traceback" not in text, text
