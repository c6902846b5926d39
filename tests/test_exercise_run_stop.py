"""hebblab.exercises.run with a `stop` callback (the TUI's cancellable run): stepped in slices,
it reaches the same measurements as the CLI's single call, and stops when asked."""

from __future__ import annotations

import pytest

from hebblab.exercises import Stopped, all_builtin, builtin, run, run_setup

EXERCISES = all_builtin()


@pytest.mark.parametrize("ex", EXERCISES, ids=[e.name for e in EXERCISES])
def test_sliced_run_measures_exactly_what_the_single_call_does(ex):
    whole = run(ex, seed=3)
    asked = []
    sliced = run(ex, seed=3, stop=lambda: asked.append(1) and False)
    assert asked, "stop was never asked"
    assert sliced.measured == whole.measured  # bit-identical numbers, not approximately
    assert sliced.holding == whole.holding


def test_stop_ends_the_run_before_its_end():
    ex = builtin("ei-balance")  # 500 ms of a network: many slices
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Stopped):
        run(ex, stop=stop)
    assert len(calls) == 3


def test_run_setup_folds_params_into_each_side_and_resolves_the_seed():
    ex = builtin("refractory")  # [params] I_ext_nA = 10, [a] t_ref_ms = 0, [b] t_ref_ms = 5
    preset, seed, a, b = run_setup(ex)
    assert preset == "chapter" and seed == 0
    assert a == {"I_ext_nA": 10.0, "t_ref_ms": 0.0} and b == {"I_ext_nA": 10.0, "t_ref_ms": 5.0}
    assert run_setup(ex, 7)[1] == 7
    one = builtin("rheobase")
    assert run_setup(one)[2:] == ({"I_ext_nA": 1.5}, {})
