"""One vocabulary (docs/vocabulary.md): names follow the unit-suffix rule, old names keep
working wherever a name is typed (with a one-line notice), the chapter's own names work
silently, and configs written before the renames replay with identical metrics.

The fixtures in fixtures/old_configs/ are `hebblab run LAB --preset P --out DIR` from the
commit before the renames (experiment.toml and metrics.json kept as written)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from hebblab.cli.main import build_parser, main
from hebblab.cli.run_inputs import plan_run
from hebblab.sim.labs import all_labs, get_lab
from hebblab.sim.params import ParamError, ParamSpec, find_spec, name_map, renamed, validate_params

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "old_configs"
LABS = all_labs()

# The renames, written out here rather than read from the code under test: lab -> {old: new}.
RENAMED = {
    "lif": {"n_neurons": "n_cells"},
    "hebb": {"w_init_scale": "w_init", "inhib_w": "w_inh"},
    "bcm": {"K": "n_patterns"},
    "ei": {"N": "n_cells", "E_l_mV": "V_rest_mV", "V_t_mV": "V_thresh_mV", "V_r_mV": "V_reset_mV",
           "refractory_ms": "t_ref_ms"},
    "oja": {"w_init_scale": "w_init"},
    "pairing": {"freq_Hz": "freq_hz", "w0": "w_init"},
    "stdp": {"rate_Hz": "rate_hz", "E_l_mV": "V_rest_mV", "V_t_mV": "V_thresh_mV", "V_r_mV": "V_reset_mV",
             "tau_pre_ms": "tau_plus_ms", "tau_post_ms": "tau_minus_ms", "w0_max_frac": "w_init"},
}
RENAMED_METRICS = {"lif": {"cv_isi": "cv_isi_mean"}, "ei": {"n_spikes": "spike_count", "duration_ms": "t_ms"}}
RENAMED_READOUTS = {"lif": {"cv_isi": "cv_isi_mean"}, "stdp": {"rate_hz": "rate_recent_hz"}}
# The chapter's listing names, accepted silently by lif (hebb's eta is already its name).
CHAPTER = {"tau_m": "tau_m_ms", "V_rest": "V_rest_mV", "V_thresh": "V_thresh_mV", "V_reset": "V_reset_mV",
           "R_m": "R_m_MOhm", "I_ext": "I_ext_nA", "dt": "dt_ms"}
UNIT_SUFFIX = {"ms": "_ms", "s": "_s", "mV": "_mV", "nA": "_nA", "MOhm": "_MOhm", "Hz": "_hz", "deg": "_deg"}
# Metrics other issues rely on by name: they must exist under exactly these names.
CONTRACT_METRICS = {
    "lif": ("spike_count", "spike_times_ms", "isi_rate_hz"),
    "ei": ("rate_mean_hz", "rate_exc_hz", "rate_inh_hz", "cv_isi_mean"),
    "stdp": ("frac_low", "frac_high", "rate_first_10s_hz", "rate_last_10s_hz"),
}
CONTRACT_SHORT = {"lif": {}, "ei": {"n_cells": 200}, "stdp": {"n_inputs": 50}}


def run_json(capsys, *argv: str) -> tuple[int, dict | None, list[str]]:
    """(exit status, the JSON record or None, stderr lines) of one `hebblab` call."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and out.strip() else None), err.splitlines()


def notices(*pairs: tuple[str, str]) -> list[str]:
    return [f"hebblab: notice: {old} is now {new}" for old, new in pairs]


# -- the names themselves -------------------------------------------------------------------
@pytest.mark.parametrize("lab, old, new", [(lab, o, n) for lab, m in RENAMED.items() for o, n in m.items()])
def test_each_old_name_is_an_alias_of_its_new_name(lab, old, new):
    cls = get_lab(lab)
    names = [s.name for s in cls.specs]
    assert new in names and old not in names
    spec = cls.spec(old)
    assert spec.name == new and old in spec.aliases
    assert renamed(cls.specs, [old, new]) == [f"{old} is now {new}"]


@pytest.mark.parametrize("lab, old, new", [(lab, o, n) for lab, m in RENAMED_READOUTS.items() for o, n in m.items()])
def test_renamed_readouts(lab, old, new):
    names = [r.name for r in get_lab(lab).readout_specs]
    assert new in names and old not in names


@pytest.mark.parametrize("name", list(LABS))
def test_no_two_parameters_answer_to_one_name(name):
    by_name = name_map(LABS[name].specs)  # raises ValueError on a collision
    assert len(by_name) == sum(len(s.names) for s in LABS[name].specs)


def test_a_colliding_alias_is_a_programming_error():
    with pytest.raises(ValueError, match="'a' is claimed by both 'a' and 'b'"):
        name_map((ParamSpec("a", 1.0), ParamSpec("b", 1.0, aliases=("a",))))
    with pytest.raises(ValueError, match="'x' is claimed by both 'a' and 'b'"):
        name_map((ParamSpec("a", 1.0, synonyms=("x",)), ParamSpec("b", 1.0, aliases=("x",))))
    with pytest.raises(ValueError, match="repeats"):
        ParamSpec("a", 1.0, aliases=("a",))


def _check_suffix(name: str, unit: str | None) -> list[str]:
    bad = []
    for u, suffix in UNIT_SUFFIX.items():
        if name.lower().endswith(suffix.lower()) and not name.endswith(suffix):
            bad.append(f"{name}: spell the unit suffix {suffix}")
        elif unit is not None and name.endswith(suffix) and unit != u:
            bad.append(f"{name}: suffix {suffix} but unit {unit!r}")
    if unit in UNIT_SUFFIX and not name.endswith(UNIT_SUFFIX[unit]):
        bad.append(f"{name}: unit {unit!r} needs the suffix {UNIT_SUFFIX[unit]}")
    return bad


@pytest.mark.parametrize("name", list(LABS))
def test_units_are_suffixes_spelled_one_way(name):
    cls = LABS[name]
    bad = [b for s in cls.specs for b in _check_suffix(s.name, s.unit)]
    bad += [b for r in cls.readout_specs for b in _check_suffix(r.name, r.unit)]
    assert not bad, bad


def test_the_suffix_check_can_fail():
    assert _check_suffix("rate_Hz", "Hz") and _check_suffix("tau_s", "ms") and _check_suffix("tau", "ms")
    assert not _check_suffix("rate_hz", "Hz") and not _check_suffix("eta", "")


@pytest.mark.parametrize("name", list(LABS))
def test_metric_names_spell_units_one_way(name):
    params = {"n_cells": 200} if name == "ei" else {}  # a small network builds fast
    metrics = LABS[name](params).metrics()
    bad = [b for k in metrics for b in _check_suffix(k, None)]
    assert not bad, bad


@pytest.mark.parametrize("name", list(LABS))
def test_readouts_and_parameters_do_not_share_names(name):
    cls = LABS[name]
    params = {n for s in cls.specs for n in s.names}
    assert not params & {r.name for r in cls.readout_specs}


@pytest.mark.parametrize("lab", list(CONTRACT_METRICS))
def test_contract_metric_names_exist(lab):
    cls = get_lab(lab)
    obj = cls(CONTRACT_SHORT[lab])
    obj.run(50.0)
    assert set(CONTRACT_METRICS[lab]) <= set(obj.metrics())


# -- old names in the engine ------------------------------------------------------------------
def _other_value(spec: ParamSpec):
    new = spec.nudge(spec.default, -1)
    return new if new != spec.default else spec.nudge(spec.default, 1)


@pytest.mark.parametrize("lab, old, new", [(lab, o, n) for lab, m in RENAMED.items() for o, n in m.items()])
def test_an_old_name_sets_the_new_parameter(lab, old, new):
    cls = get_lab(lab)
    value = _other_value(cls.spec(new))
    assert value != cls.spec(new).default
    got = validate_params(cls.specs, {old: value})
    assert got == validate_params(cls.specs, {new: value}) and got[new] == value and old not in got


def test_the_later_of_two_names_for_one_parameter_wins():
    specs = get_lab("ei").specs
    assert validate_params(specs, {"V_t_mV": -51.0, "V_thresh_mV": -52.0})["V_thresh_mV"] == -52.0
    assert validate_params(specs, {"V_thresh_mV": -52.0, "V_t_mV": -51.0})["V_thresh_mV"] == -51.0
    # a preset's value (current name) is overridden by a user's old name
    assert get_lab("lif").resolve_params("population", {"n_neurons": 3})["n_cells"] == 3


def test_set_param_with_an_old_name_sets_the_new_one():
    lif = get_lab("lif")()
    assert lif.set_param("n_neurons", 3) is False  # applies on reset
    assert lif.pending == {"n_cells": 3}
    lif.reset()
    assert lif.params["n_cells"] == 3 and "n_neurons" not in lif.params and lif.n == 3
    assert lif.set_param("I_ext", 2.0) is True  # the chapter's name, live
    assert lif.params["I_ext_nA"] == 2.0 and "I_ext" not in lif.params
    ei = get_lab("ei")({"n_cells": 200})
    assert ei.set_param("E_l_mV", -55.0) is True  # live: the network gets it at once
    assert ei.params["V_rest_mV"] == -55.0 and ei.net.params.E_l_mV == -55.0


def test_an_unknown_name_suggests_the_current_name_not_an_old_one():
    with pytest.raises(ParamError, match=r"V_t_m: unknown parameter for lab 'ei' \(did you mean 'V_thresh_mV'\?\)"):
        get_lab("ei").spec("V_t_m")
    with pytest.raises(ParamError, match=r"did you mean 'n_cells'\?"):
        find_spec(get_lab("lif").specs, "n_neuron")


def test_notices_name_old_names_only():
    specs = get_lab("lif").specs
    assert renamed(specs, ["tau_m", "tau_m_ms", "bogus", "n_neurons", "n_neurons"]) == ["n_neurons is now n_cells"]


# -- the chapter's names -----------------------------------------------------------------------
def test_lif_accepts_the_chapters_names_as_the_listing_writes_them():
    lif = get_lab("lif")
    values = {"tau_m": 40.0, "V_rest": -65.0, "V_thresh": -50.0, "V_reset": -75.0, "R_m": 20.0,
              "I_ext": 1.0, "dt": 0.05}
    assert lif.resolve_params(None, values) == lif.resolve_params(None, {CHAPTER[k]: v for k, v in values.items()})
    assert set(CHAPTER) == {n for s in lif.specs for n in s.synonyms}
    assert get_lab("hebb").spec("eta").name == "eta"


def test_chapter_names_on_the_command_line_are_silent(capsys):
    code, chapter, err = run_json(capsys, "run", "lif", "--set", "tau_m=40", "--set", "I_ext=2", "--json")
    assert code == 0 and err == []
    code, current, _ = run_json(capsys, "run", "lif", "--set", "tau_m_ms=40", "--set", "I_ext_nA=2", "--json")
    assert chapter == current and chapter["params"]["tau_m_ms"] == 40.0
    code, _, err = run_json(capsys, "run", "hebb", "--set", "eta=0.02", "--json")
    assert code == 0 and err == []


# -- old names in every front-end path -------------------------------------------------------
def test_set_with_old_names_prints_one_notice_each_and_runs_the_same(capsys):
    code, old, err = run_json(capsys, "run", "ei", "--set", "N=200", "--set", "V_t_mV=-51", "--set", "N=200",
                              "--duration", "100", "--json")
    assert code == 0 and err == notices(("N", "n_cells"), ("V_t_mV", "V_thresh_mV"))
    assert old["params"]["n_cells"] == 200 and old["params"]["V_thresh_mV"] == -51.0 and "N" not in old["params"]
    code, new, err = run_json(capsys, "run", "ei", "--set", "n_cells=200", "--set", "V_thresh_mV=-51",
                              "--duration", "100", "--json")
    assert code == 0 and err == [] and new == old


def test_the_last_assignment_wins_whatever_name_it_uses():
    a = plan_run("ei", None, ["V_t_mV=-51", "V_thresh_mV=-52"])
    b = plan_run("ei", None, ["V_thresh_mV=-52", "V_t_mV=-51"])
    assert (a.params["V_thresh_mV"], b.params["V_thresh_mV"]) == (-52.0, -51.0)
    assert a.notices == b.notices == ("V_t_mV is now V_thresh_mV",)


def test_a_bad_value_under_an_old_name_is_one_error_line_naming_both(capsys):
    code, _, err = run_json(capsys, "run", "ei", "--set", "V_t_mV=abc")
    assert code == 2
    assert err == ["hebblab: error: V_thresh_mV (given as V_t_mV): expected a number in [-70, -30] mV, got 'abc'"]


def test_a_config_naming_one_parameter_twice_is_refused(tmp_path, capsys):
    cfg = tmp_path / "experiment.toml"
    cfg.write_text('lab = "ei"\n[params]\nV_t_mV = -51.0\nV_thresh_mV = -52.0\n')
    code, _, err = run_json(capsys, "run", "--config", str(cfg), "--json")
    assert code == 2 and len(err) == 1
    assert err[0] == (f"hebblab: error: {cfg}:4: [params] V_thresh_mV: sets V_thresh_mV like V_t_mV above; "
                      "keep one")


def test_a_cross_check_failure_points_at_the_old_name_in_the_config(tmp_path, capsys):
    cfg = tmp_path / "experiment.toml"
    cfg.write_text('lab = "ei"\n[params]\nV_r_mV = -45.0\n')
    code, _, err = run_json(capsys, "run", "--config", str(cfg), "--json")
    assert code == 2 and len(err) == 1 and err[0].startswith(f"hebblab: error: {cfg}:3: [params] V_reset_mV: must be below")


def test_sweep_varies_and_sets_old_names(capsys):
    code, record, err = run_json(capsys, "sweep", "lif", "--vary", "n_neurons=1:2:1", "--set", "t_ref_ms=2",
                                 "--duration", "100", "--jobs", "1", "--json")
    assert code == 0 and err == notices(("n_neurons", "n_cells"))
    assert list(record["vary"]) == ["n_cells"] and [p["params"] for p in record["points"]] == [{"n_cells": 1},
                                                                                               {"n_cells": 2}]
    code, _, err = run_json(capsys, "sweep", "lif", "--vary", "n_neurons=1:2:1", "--set", "n_cells=2", "--json")
    assert code == 2 and err == ["hebblab: error: n_cells: given both with --set and --vary; keep one"]


def test_tui_set_accepts_old_names(capsys):
    from hebblab.cli.commands.tui import validate

    args = build_parser().parse_args(["tui", "ei", "--set", "V_t_mV=-51", "--set", "N=300"])
    lab, preset, seed, overrides, fps = validate(args)
    assert overrides == {"V_thresh_mV": -51.0, "n_cells": 300}
    assert capsys.readouterr().err.splitlines() == notices(("V_t_mV", "V_thresh_mV"), ("N", "n_cells"))
    assert get_lab("ei")(overrides).params["n_cells"] == 300


# -- configs written before the renames --------------------------------------------------------
FIXTURE_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def test_there_are_old_configs_for_every_lab_with_a_rename():
    assert {d.name.split(".")[0] for d in FIXTURE_DIRS} == set(RENAMED)


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=[d.name for d in FIXTURE_DIRS])
def test_an_old_config_replays_with_identical_metrics(fixture, capsys):
    before = json.loads((fixture / "metrics.json").read_text())
    config = tomllib.loads((fixture / "experiment.toml").read_text())
    lab = before["lab"]
    old_names = [n for n in config["params"] if n in RENAMED[lab]]
    assert old_names, "the fixture must use old names"
    code, now, err = run_json(capsys, "run", "--config", str(fixture / "experiment.toml"), "--json")
    assert code == 0
    assert err == notices(*((n, RENAMED[lab][n]) for n in old_names))
    assert [now[k] for k in ("lab", "preset", "seed", "duration_ms")] == \
        [before[k] for k in ("lab", "preset", "seed", "duration_ms")]
    old_params = {RENAMED[lab].get(k, k): v for k, v in before["params"].items()}
    added = {k: v for k, v in now["params"].items() if k not in old_params}
    assert {k: v for k, v in now["params"].items() if k in old_params} == old_params
    assert added == {k: LABS[lab].spec(k).default for k in ADDED_PARAMS.get(lab, ())}  # new ones at defaults
    metric_names = RENAMED_METRICS.get(lab, {})
    new_metrics = {k: v for k, v in now["metrics"].items() if k not in ADDED_METRICS.get(lab, ())}
    assert new_metrics == {metric_names.get(k, k): v for k, v in before["metrics"].items()}


# Parameters and metrics added after the fixtures were written (the comparisons' rule choices).
ADDED_PARAMS = {"oja": ("rule",), "bcm": ("theta_rule",), "pairing": ("triplet_model",)}
ADDED_METRICS = {"oja": ("capped_at_sample",)}


def test_docs_list_every_old_name_and_spelling():
    rows = (Path(__file__).resolve().parent.parent / "docs" / "vocabulary.md").read_text().splitlines()
    for name, cls in LABS.items():
        for spec in cls.specs:
            for other in (*spec.aliases, *spec.synonyms):
                assert any(r.startswith(f"| `{spec.name}` |") and f"`{other}`" in r for r in rows), \
                    f"docs/vocabulary.md has no row for {name}'s {spec.name} naming {other}"
