"""`hebblab compare` and `hebblab pairs`: the JSON contract, --out with replay, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hebblab.cli.main import main


def _json(capsys, *argv) -> dict:
    assert main(["compare", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_object_has_the_contract_keys(capsys):
    d = _json(capsys, "lif", "--preset", "chapter", "--a", "tau_m_ms=20", "--b", "tau_m_ms=40", "--duration", "1000")
    assert {"lab", "pair", "preset", "seed", "duration_ms", "a", "b", "diff"} <= set(d)
    assert (d["lab"], d["pair"], d["preset"], d["seed"], d["duration_ms"]) == ("lif", None, "chapter", 0, 1000.0)
    assert set(d["a"]) == {"params", "metrics"} == set(d["b"])
    assert d["a"]["params"]["tau_m_ms"] == 20 and d["b"]["params"]["tau_m_ms"] == 40
    # the closed forms: 1 / (tau_m ln 14)
    assert d["a"]["metrics"]["isi_rate_hz"] == pytest.approx(18.95, abs=0.05)
    assert d["b"]["metrics"]["isi_rate_hz"] == pytest.approx(9.47, abs=0.02)
    for name, value in d["diff"].items():  # every numeric metric, b - a
        a, b = d["a"]["metrics"][name], d["b"]["metrics"][name]
        assert value == pytest.approx(b - a)
    assert "spike_times_ms" not in d["diff"]  # lists are not differences
    assert d["differs"] == ["tau_m_ms"] and d["input_differs"] == []


def test_set_applies_to_both_and_sides_override(capsys):
    d = _json(capsys, "lif", "--set", "I_ext_nA=2.5", "--b", "I_ext_nA=3", "--duration", "200")
    assert d["a"]["params"]["I_ext_nA"] == 2.5 and d["b"]["params"]["I_ext_nA"] == 3.0


def test_a_and_b_identical_give_identical_metrics(capsys):
    d = _json(capsys, "hebb", "--preset", "grow", "--a", "eta=0.01", "--b", "eta=0.01")
    assert d["a"]["metrics"] == d["b"]["metrics"]
    assert all(v == 0 for v in d["diff"].values() if v is not None)
    assert d["differs"] == []


def test_out_writes_two_runs_that_replay_and_the_comparison_replays(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "hebb", "--preset", "grow", "--a", "eta=0.005", "--b", "eta=0.02", "--out", str(out),
                 "--no-plot"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["a", "b", "compare.json"]
    written = json.loads((out / "compare.json").read_text())
    for side in ("a", "b"):
        assert main(["run", "--config", str(out / side), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["metrics"] == written[side]["metrics"]
    assert main(["compare", "--config", str(out), "--json"]) == 0
    replay = json.loads(capsys.readouterr().out)
    assert replay["a"] == written["a"] and replay["b"] == written["b"] and replay["diff"] == written["diff"]


def test_input_changing_parameters_are_named(capsys):
    assert main(["compare", "hebb", "--a", "p_pre=0.05", "--b", "p_pre=0.2", "--no-plot"]) == 0
    assert "p_pre change the input itself" in capsys.readouterr().out


@pytest.mark.parametrize("argv,fragment", [
    (["compare", "lif", "--pair", "nope"], "pair"),
    (["compare", "lif", "--a", "tau_m_ms"], "--a: expected NAME=VALUE"),
    (["compare", "lif", "--b", "tau_m_ms=0"], "tau_m_ms: out of range"),
    (["compare", "lif", "--set", "nope=1"], "nope: unknown parameter"),
    (["compare", "nolab"], "unknown lab"),
    (["compare"], "give a lab name"),
    (["compare", "lif", "--duration", "-5"], "--duration"),
    (["compare", "--config", "/nonexistent"], "--config"),
    (["pairs", "nolab"], "unknown lab"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, argv, fragment):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "hebblab", *argv, *(["--out", str(out)] if argv[0] == "compare"
                                                                       else [])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("hebblab: error:") and fragment in proc.stderr, \
        proc.stderr
    assert not out.exists()
