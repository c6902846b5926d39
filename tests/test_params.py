"""Property tests of parameter validation: every spec of every registered lab, plus
hand-made specs. Bad values raise ParamError naming the parameter; good ones round-trip."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hebblab.sim.labs import all_labs
from hebblab.sim.params import ParamError, ParamSpec, validate_params

EXTRA = (
    ParamSpec("x_ms", 1.0, "ms", 0.0, 10.0),
    ParamSpec("n_cells", 4, "", 1, 100, kind="int"),
    ParamSpec("open_ended_Hz", 5.0, "Hz", min=0.0),
    ParamSpec("flag", False, kind="bool"),
    ParamSpec("mode", "a", kind="choice", choices=("a", "b")),
)
SPECS = [s for lab in all_labs().values() for s in lab.specs] + list(EXTRA)
NUMERIC = [s for s in SPECS if s.kind in ("float", "int")]
BOUNDED_BELOW = [s for s in NUMERIC if s.min is not None]
BOUNDED_ABOVE = [s for s in NUMERIC if s.max is not None]

spec_st = st.sampled_from(SPECS)
numeric_st = st.sampled_from(NUMERIC)


def in_range(spec):
    lo = spec.min if spec.min is not None else -1e6
    hi = spec.max if spec.max is not None else 1e6
    if spec.kind == "int":
        return st.integers(int(math.ceil(lo)), int(math.floor(hi)))
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def names_param(err, spec):
    return err.param == spec.name and str(err).startswith(spec.name + ":") and "\n" not in str(err)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_in_range_values_validate_and_round_trip(data):
    spec = data.draw(numeric_st)
    value = data.draw(in_range(spec))
    assert spec.validate(value) == value
    back = spec.parse(spec.format(value))
    if spec.kind == "int":
        assert back == value and isinstance(back, int)
    else:
        assert back == pytest.approx(value, rel=1e-5, abs=1e-12)
        assert spec.parse(repr(float(value))) == value  # full precision text is exact


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_out_of_range_values_raise_naming_the_parameter(data):
    delta = data.draw(st.floats(1e-6, 1e9))
    if data.draw(st.booleans()):
        spec = data.draw(st.sampled_from(BOUNDED_BELOW))
        value = spec.min - delta
        value = math.floor(value) if spec.kind == "int" else value
        assume(value < spec.min)
    else:
        spec = data.draw(st.sampled_from(BOUNDED_ABOVE))
        value = spec.max + delta
        value = math.ceil(value) if spec.kind == "int" else value
        assume(value > spec.max)
    for attempt in (lambda: spec.validate(value), lambda: spec.parse(repr(value))):
        with pytest.raises(ParamError) as err:
            attempt()
        assert names_param(err.value, spec)
        assert "out of range" in str(err.value)


@settings(max_examples=200, deadline=None)
@given(spec=numeric_st, value=st.sampled_from([math.nan, math.inf, -math.inf]))
def test_non_finite_values_raise(spec, value):
    for attempt in (lambda: spec.validate(value), lambda: spec.parse(str(value))):
        with pytest.raises(ParamError) as err:
            attempt()
        assert names_param(err.value, spec)


@settings(max_examples=300, deadline=None)
@given(spec=spec_st, value=st.one_of(st.text(max_size=8), st.none(), st.lists(st.integers(), max_size=2),
                                     st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False)))
def test_wrong_types_raise(spec, value):
    ok_types = {"float": (int, float), "int": (int, float), "bool": (bool,), "choice": (str,)}[spec.kind]
    if isinstance(value, ok_types) and not (spec.kind in ("float", "int") and isinstance(value, bool)):
        return  # right type: covered by the range tests
    with pytest.raises(ParamError) as err:
        spec.validate(value)
    assert names_param(err.value, spec)


@settings(max_examples=200, deadline=None)
@given(spec=spec_st, text=st.text(alphabet="abcxyz!?# ", min_size=1, max_size=6))
def test_garbage_text_raises(spec, text):
    assume(text.strip().lower() not in ("yes", "no", "on", "off", "true", "false", "1", "0"))
    assume(text.strip() not in spec.choices)
    with pytest.raises(ParamError) as err:
        spec.parse(text)
    assert names_param(err.value, spec)


@settings(max_examples=100, deadline=None)
@given(value=st.floats(0.5, 10.4, allow_nan=False))
def test_int_specs_reject_fractions(value):
    spec = EXTRA[1]
    if value == int(value):
        assert spec.validate(value) == int(value)
    else:
        with pytest.raises(ParamError, match="n_cells"):
            spec.validate(value)


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ParamError, match="did you mean 'x_ms'"):
        validate_params(EXTRA, {"x_mss": 2.0})


@pytest.mark.parametrize("text,said", [
    ("9" * 500, "out of range: expected a number in [0, 10] ms, got a 500-digit number"),
    ("-" + "9" * 500, "out of range: expected a number in [0, 10] ms, got a negative 500-digit number"),
    ("1e400", "out of range: expected a number in [0, 10] ms, got '1e400'"),
    ("inf", "must be finite: expected a number in [0, 10] ms, got inf"),
    ("-Infinity", "must be finite"),
    ("a" * 500, "expected a number in [0, 10] ms, got 'aaaaaaaaaaaaaaaaaaaa'... (500 characters)"),
])
def test_text_too_large_for_a_float_is_out_of_range_and_long_text_is_described(text, said):
    """float('9' * 500) is inf: the message says what was typed, not "inf", and never prints
    hundreds of characters."""
    with pytest.raises(ParamError) as err:
        EXTRA[0].parse(text)
    assert said in str(err.value) and len(str(err.value)) < 120, str(err.value)


def test_a_very_long_unknown_name_is_shortened():
    with pytest.raises(ParamError) as err:
        validate_params(EXTRA, {"q" * 5000: 1.0})
    assert str(err.value).startswith("q" * 40 + "... (5000 characters): unknown parameter") and len(str(err.value)) < 120


@pytest.mark.parametrize("name,lab", list(all_labs().items()))
def test_every_spec_default_is_valid_and_has_help(name, lab):
    for spec in lab.specs:
        assert spec.validate(spec.default) == spec.default
        assert spec.help, f"{name}.{spec.name} has no help text"
