"""Guided exercises: each built-in exercise's right option against the science it teaches
(docs/science.md), a lecturer's own file loaded, run and graded, and the CLI's contract
(exit 0 right, 1 wrong, 2 bad input; one JSON object with --json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hebblab.exercises import ExerciseError, all_builtin, builtin, builtin_names, load, run
from hebblab.cli.main import main

# name -> (the right option, 1-based, and why: the closed form or published result)
EXPECTED = {
    "ex1-tau40": (2, "period tau_m ln 14: 52.8 -> 105.6 ms, 18.95 -> 9.47 Hz; the chapter says up"),
    "ex2-inhibitory": (2, "classical Hebb only adds: -0.3 climbs by eta per coincidence and crosses zero"),
    "ex3-sigmoid": (2, "a noisy cell fires without input, so every weight grows to the bound w_max = 1"),
    "euler-vs-exact": (1, "Euler fires 0.15 % early; first spike 43.9 vs 44.0 ms on the 0.1 ms grid"),
    "refractory": (1, "1/rate = t_ref + tau_m ln(...): 185 Hz -> 96 Hz, every interval 5 ms longer"),
    "rheobase": (2, "V_inf = -55 mV < V_thresh = -54 mV: below the 1.6 nA rheobase nothing fires"),
    "hebb-vs-oja": (2, "Oja: |w| -> 1 (Oja 1982); plain Hebb grows without bound"),
    "bcm-selectivity": (2, "BCM's stable state responds K*y0 to one pattern and 0 to the others"),
    "stdp-window": (1, "pair rule: +A_plus e^(-10/20) per pairing pre-first, -A_minus e^(-10/20) post-first"),
    "ltp-ltd-frequency": (2, "triplet rule, full fit: -0.31 at 1 Hz, +0.73 at 50 Hz (Pfister & Gerstner 2006)"),
    "ei-balance": (2, "without inhibition the CUBA network runs away far above the 19 Hz of a lone cell"),
}


def test_every_builtin_exercise_has_an_expected_answer():
    assert set(builtin_names()) == set(EXPECTED)
    assert builtin_names()[:3] == ["ex1-tau40", "ex2-inhibitory", "ex3-sigmoid"]  # the chapter's first


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_exercise_right_option_matches_the_science(name):
    expected, why = EXPECTED[name]
    verdict = run(builtin(name))
    assert verdict.problem() is None, verdict.measured
    assert verdict.correct == expected, f"{why}; measured {verdict.measured}"


def test_builtin_numbers_against_closed_forms():
    """The measured values the exercises show are the closed forms' (not just the right sign)."""
    m = run(builtin("ex1-tau40")).measured
    assert m["a.isi_rate_hz"] == pytest.approx(18.95, abs=0.05) and m["b.isi_rate_hz"] == pytest.approx(9.47, abs=0.02)
    m = run(builtin("refractory")).measured
    assert 1000 / m["b.isi_rate_hz"] - 1000 / m["a.isi_rate_hz"] == pytest.approx(5.0, abs=0.15)
    m = run(builtin("stdp-window")).measured
    assert m["a.dw"] == pytest.approx(60 * 0.01 * 2.718281828 ** -0.5, rel=0.02)
    assert m["b.dw"] == pytest.approx(-60 * 0.0105 * 2.718281828 ** -0.5, rel=0.02)


def test_the_verdict_follows_the_measurement_not_the_file(tmp_path):
    """Change the run in the file and the right option changes with it: nothing is stored."""
    text = (Path(builtin("rheobase").path).name and
            (Path(__file__).parents[1] / "hebblab" / "exercises" / "builtin" / "rheobase.toml").read_text())
    mine = tmp_path / "rheobase-2nA.toml"
    mine.write_text(text.replace("I_ext_nA = 1.5", "I_ext_nA = 2.0"))
    assert run(load(mine)).correct == 1  # 2 nA is above rheobase: it fires regularly
    assert run(builtin("rheobase")).correct == 2


LECTURER = '''
title = "Does a bigger R_m fire faster?"
question = "Raise the membrane resistance from 10 to 12 MOhm. The rate..."
lab = "lif"
preset = "chapter"
duration_ms = 1000
explanation = "R*I rises: V_inf moves further above threshold, so the cell charges faster."
show = ["a.isi_rate_hz", "b.isi_rate_hz"]

[a]
R_m_MOhm = 10.0

[b]
R_m_MOhm = 12.0

[[options]]
text = "rises"
when = "b.isi_rate_hz > a.isi_rate_hz"

[[options]]
text = "falls"
when = "b.isi_rate_hz < a.isi_rate_hz"
'''


def _cli(*argv, **kw):
    return subprocess.run([sys.executable, "-m", "hebblab", *argv], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, **kw)


def test_a_lecturers_file_is_loaded_run_and_graded(tmp_path):
    path = tmp_path / "rm.toml"
    path.write_text(LECTURER)
    right = _cli("exercise", "--file", str(path), "--answer", "1")
    assert right.returncode == 0, right.stderr
    assert "your answer: 1. rises: right" in right.stdout
    wrong = _cli("exercise", "--file", str(path), "--answer", "2", "--json")
    assert wrong.returncode == 1
    record = json.loads(wrong.stdout)
    assert set(record) == {"name", "question", "options", "answer", "correct", "right", "measured", "explanation"}
    assert (record["name"], record["answer"], record["correct"], record["right"]) == ("rm", 2, 1, False)
    assert record["measured"]["b.isi_rate_hz"] > record["measured"]["a.isi_rate_hz"] > 0


def test_without_an_answer_off_a_terminal_it_reports_the_right_option():
    proc = _cli("exercise", "ex1-tau40")
    assert proc.returncode == 0 and "measured answer: 2. It goes down" in proc.stdout
    assert "your answer" not in proc.stdout


@pytest.mark.parametrize("argv,fragment", [
    (["exercise"], "give one NAME"),
    (["exercise", "tau4O"], "unknown exercise 'tau4O'"),
    (["exercise", "ex1-tau40", "--file", "x.toml"], "give one NAME"),
    (["exercise", "ex1-tau40", "--answer", "5"], "--answer: expected an option number in [1, 4]"),
    (["exercise", "ex1-tau40", "--answer", "two"], "--answer"),
    (["exercise", "ex1-tau40", "--seed", "-1"], "seed"),
    (["exercise", "--file", "/dev/zero"], "not a regular file"),
    (["exercise", "--file", "/nonexistent/x.toml"], "cannot read"),
])
def test_bad_input_is_one_line_exit_2(argv, fragment):
    proc = _cli(*argv)
    assert proc.returncode == 2, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hebblab: error:") and fragment in lines[0], proc.stderr


BAD_FILES = {
    "syntax": ("question = \n", "not valid TOML"),
    "unknown-key": (LECTURER + "\nanswer = 1\n", "unknown key 'answer'"),
    "one-option": (LECTURER.split("[[options]]")[0] + '[[options]]\ntext = "x"\nwhen = "1 > 0"\n', "two to four"),
    "hostile": (LECTURER.replace('when = "b.isi_rate_hz > a.isi_rate_hz"', 'when = "__import__(1) > 0"'),
                "option 1"),
    "attribute": (LECTURER.replace('when = "b.isi_rate_hz > a.isi_rate_hz"', 'when = "b.isi_rate_hz.real > 0"'),
                  "option 1"),
    "unprefixed": (LECTURER.replace('when = "b.isi_rate_hz > a.isi_rate_hz"', 'when = "isi_rate_hz > 0"'),
                   "use a.NAME or b.NAME"),
    "bad-param": (LECTURER.replace("R_m_MOhm = 12.0", "R_m_MOhm = 1e9"), "R_m_MOhm: out of range"),
    "unknown-metric": (LECTURER.replace('when = "b.isi_rate_hz > a.isi_rate_hz"', 'when = "b.nope > 0"'),
                       "unknown metric 'b.nope'"),
    "ambiguous": (LECTURER.replace('when = "b.isi_rate_hz < a.isi_rate_hz"', 'when = "b.isi_rate_hz > 0"'),
                  "options 1 and 2 all hold"),
    "deep": ("x = " + "[" * 1000 + "]" * 1000 + "\n", "nested too deeply"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_exercise_files_name_file_line_and_problem(tmp_path, case):
    text, fragment = BAD_FILES[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    proc = _cli("exercise", "--file", str(path), "--answer", "1")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    line = proc.stderr.strip()
    assert "\n" not in line and str(path) in line and fragment in line and "Traceback" not in line, line


def test_condition_errors_point_at_the_line(tmp_path):
    path = tmp_path / "hostile.toml"
    path.write_text(BAD_FILES["hostile"][0])
    with pytest.raises(ExerciseError) as err:
        load(path)
    line_no = next(i for i, line in enumerate(path.read_text().splitlines(), 1) if "__import__" in line)
    assert f"{path}:{line_no}:" in str(err.value)


def test_huge_and_unreadable_files_are_refused(tmp_path):
    huge = tmp_path / "huge.toml"
    with open(huge, "wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: no disk used
    with pytest.raises(ExerciseError, match="at most 256 KiB"):
        load(huge)
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.toml"
        locked.write_text(LECTURER)
        locked.chmod(0)
        with pytest.raises(ExerciseError, match="cannot read"):
            load(locked)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(ExerciseError, match="not a regular file"):
        load(fifo)  # must not block


def test_exercises_command_lists_every_builtin(capsys):
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    for ex in all_builtin():
        assert ex.name in out and ex.title in out
