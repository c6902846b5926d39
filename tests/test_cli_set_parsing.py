"""--set NAME=VALUE parsing (hypothesis): exact values through the CLI, one-line errors otherwise."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hebblab.sim.labs import get_lab
from hebblab.sim.params import ParamError
from hebblab.cli.main import main
from hebblab.errors import UsageError
from hebblab.cli.run_inputs import parse_assignments, parse_duration, parse_seed, plan_run

LIF = get_lab("lif")
TAU = LIF.spec("tau_m_ms")

names = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="="), min_size=1)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(names, st.text(max_size=20), max_size=5))
def test_assignments_round_trip(pairs):
    items = [f"{k}={v}" for k, v in pairs.items()]
    assert parse_assignments(items) == pairs


@given(st.text(st.characters(exclude_characters="="), max_size=20))
def test_assignment_without_equals_is_a_usage_error(item):
    with pytest.raises(UsageError, match="--set: expected NAME=VALUE"):
        parse_assignments([item])


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=TAU.min, max_value=TAU.max))
def test_any_in_range_float_reaches_the_lab_exactly(value):
    plan = plan_run("lif", None, [f"tau_m_ms={value!r}"])
    assert plan.params["tau_m_ms"] == value


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.floats(max_value=TAU.min, exclude_max=True), st.floats(min_value=TAU.max, exclude_min=True),
                 st.just(math.nan), st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1)))
def test_invalid_values_raise_param_error_naming_the_parameter(value):
    with pytest.raises(ParamError) as err:
        plan_run("lif", None, [f"tau_m_ms={value}"])
    assert str(err.value).startswith("tau_m_ms: ")
    assert "\n" not in str(err.value)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=-2**40, max_value=2**40))
def test_seed_range(seed):
    if 0 <= seed <= 2**32 - 1:
        assert parse_seed(str(seed)) == seed
    else:
        with pytest.raises(ParamError, match="^seed: "):
            parse_seed(str(seed))


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_duration_accepts_exactly_the_documented_range(ms):
    ok = math.isfinite(ms) and 0 < ms <= 3_600_000 and round(ms / 0.1) >= 1
    if ok:
        assert parse_duration(repr(ms), 0.1) == ms
    else:
        with pytest.raises(ParamError, match="^--duration: "):
            parse_duration(repr(ms), 0.1)


def test_last_set_wins_and_cli_reports_it(capsys):
    assert main(["run", "lif", "--set", "I_ext_nA=2", "--set", "I_ext_nA=2.5", "--duration", "10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"]["I_ext_nA"] == 2.5
