"""`hebblab record`: a lab recorded in a pseudo-terminal as asciicast v2, replayed through a
terminal emulator (pyte): the last frame shows the lab's chart titles."""

from __future__ import annotations

import json
import subprocess
import sys

import pyte
import pytest


def _record(tmp_path, *argv):
    return subprocess.run([sys.executable, "-m", "hebblab", "record", *argv], capture_output=True, text=True,
                          timeout=180, cwd=tmp_path, stdin=subprocess.DEVNULL)


def test_record_writes_a_cast_that_replays_to_the_lab(tmp_path):
    out = tmp_path / "demo.cast"
    proc = _record(tmp_path, "lif", "--seconds", "2", "--size", "100x30", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert (header["version"], header["width"], header["height"]) == (2, 100, 30)
    events = [json.loads(line) for line in lines[1:]]
    assert len(events) > 5 and all(kind == "o" and isinstance(text, str) for _, kind, text in events)
    times = [t for t, _, _ in events]
    assert times == sorted(times) and times[-1] >= 2.0
    screen = pyte.Screen(100, 30)
    stream = pyte.Stream(screen)
    for _, _, text in events:
        stream.feed(text)
    shown = "\n".join(screen.display)
    assert "Membrane potential" in shown and "Spikes" in shown, shown
    assert "tau_m_ms" in shown  # the parameter panel
    svg = out.with_suffix(".svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "Membrane" in svg


def test_out_through_a_link_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real.cast").write_text("old")
    (tmp_path / "link.cast").symlink_to("real.cast")
    proc = _record(tmp_path, "lif", "--seconds", "1", "--out", "link.cast")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "link.cast").is_symlink()
    assert json.loads((tmp_path / "real.cast").read_text().splitlines()[0])["version"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.cast", "link.svg", "real.cast"]


@pytest.mark.parametrize("argv,fragment", [
    (["lif", "--size", "70x20"], "--size: out of range"),
    (["lif", "--size", "big"], "--size: expected WIDTHxHEIGHT"),
    (["lif", "--seconds", "0"], "--seconds: out of range"),
    (["lif", "--seconds", "nan"], "--seconds"),
    (["nolab"], "unknown lab"),
    (["lif", "--set", "tau_m_ms=0"], "tau_m_ms: out of range"),
    (["lif", "--out", "missing-dir/x.cast"], "is not an existing directory"),
    (["lif", "--out", "x" * 300 + ".cast"], "at most 255 bytes"),
    (["lif", "--out", "loop.cast"], "symbolic link loop"),
    (["lif", "--out", "dangling.cast"], "symbolic link to nowhere"),
    (["lif", "--out", "adir"], "is a directory"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, argv, fragment):
    if "--out" not in argv:
        argv = [*argv, "--out", "demo.cast"]
    (tmp_path / "loop.cast").symlink_to("loop.cast")
    (tmp_path / "dangling.cast").symlink_to("nowhere")
    (tmp_path / "adir").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = _record(tmp_path, *argv)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and fragment in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before and (tmp_path / "loop.cast").is_symlink()


# Recording a pair is one code path whatever the pair; every pair opening and stepping is
# tested with Pilot (tests/tui/test_compare_screen.py). Recorded here: a light pair, the
# largest network and the heaviest pair (each recording runs the app for 3 s or more).
RECORDED_PAIRS = [("lif", "ex1"), ("ei", "inhibition"), ("rstdp", "contingent-vs-random")]


@pytest.mark.parametrize("lab,pair", RECORDED_PAIRS)
def test_record_pair_records_the_comparison(tmp_path, lab, pair):
    out = tmp_path / "pair.cast"
    proc = _record(tmp_path, lab, "--pair", pair, "--seconds", "3", "--out", str(out))  # heavy labs build first
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "--pair " + pair in json.loads(lines[0])["title"]
    screen = pyte.Screen(120, 40)
    stream = pyte.Stream(screen)
    seen = []  # the screen after each event (the very last ones are the app closing)
    for line in lines[1:]:
        stream.feed(json.loads(line)[2])
        seen.append("\n".join(screen.display))
    shown = next((s for s in reversed(seen) if f"compare {pair}" in s and "[A]" in s), seen[-1])
    assert f"compare {pair}" in shown and "[A]" in shown, shown  # the status badge, the side header
    assert "≠" in shown  # every pair differs in a parameter, marked


@pytest.mark.parametrize("argv,fragment", [
    (["lif", "--pair", "nope"], "unknown pair 'nope' for lab lif"),
    (["chapter", "--pair", "ex1"], "--pair: needs a lab"),
])
def test_bad_pair_is_one_line_and_writes_nothing(tmp_path, argv, fragment):
    proc = _record(tmp_path, *argv, "--out", "demo.cast")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and fragment in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []
