"""Pilot tests of the comparison screen (issue 10): `b` turns a lab into A beside a copy B,
both step in lock-step on identical input, the panel edits one side, `b` again keeps one
side, `B` opens a pair. Autoplay off: every frame is a key, the numbers are exact."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from hebblab.sim.compare import pairs_of
from hebblab.sim.labs import all_labs, get_lab
from hebblab.tui.compare_mode import open_comparison
from hebblab.tui.lab_thread import LabThread
from hebblab.tui.runner import Runner
from hebblab.tui.screens.compare_screen import CompareScreen
from hebblab.tui.screens.lab_screen import LabScreen
from hebblab.tui.screens.pair_picker import PairPicker, SidePicker
from hebblab.tui.widgets.compare_params import DIFFER_MARK
from hebblab.tui.widgets.compare_readouts import CompareReadouts
from hebblab.tui.widgets.compare_status import CompareStatusLine


def same(x, y) -> bool:
    """Equal values, NaN equal to NaN (a readout with no spikes yet), arrays element-wise."""
    if isinstance(x, (list, tuple, np.ndarray)) or isinstance(y, (list, tuple, np.ndarray)):
        return np.array_equal(np.asarray(x, dtype=float), np.asarray(y, dtype=float), equal_nan=True)
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return x == y


def same_series(lab_a, lab_b) -> bool:
    sa, sb = lab_a.series(), lab_b.series()
    return sa.keys() == sb.keys() and all(
        same(sa[k].y, sb[k].y) and (sa[k].x is None) == (sb[k].x is None)
        and (sa[k].x is None or same(sa[k].x, sb[k].x)) for k in sa)


def param_line(screen, name: str) -> str:
    return next(line for line in screen.param_panel.param_list.text().plain.splitlines() if f" {name} " in line)


async def test_b_makes_a_comparison_whose_b_is_a_copy_of_a_in_the_same_state(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "n", "n")
        single = app.screen.runners[0]
        t_before = single.shown.t_ms
        await pilot.press("b")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        a, b = screen.runners
        assert a.lab is not single.lab and b.lab is not a.lab  # copies, not shared
        assert a.shown.t_ms == b.shown.t_ms == t_before
        assert a.lab.params == b.lab.params and a.lab.rng_seed == b.lab.rng_seed
        assert same_series(a.lab, b.lab)
        await pilot.press(*"n" * 5)
        # Same state: stepped alike, the sides stay bit-identical...
        assert a.shown.t_ms == b.shown.t_ms == pytest.approx(t_before + 5 * a.ms_per_frame)
        assert same_series(a.lab, b.lab)
        assert all(same(a.shown.readouts[k], b.shown.readouts[k]) for k in a.shown.readouts)
        # ...and A goes on exactly as the lab would have without the comparison.
        ref = get_lab("lif")(None, seed=0)
        ref.run(a.lab.t_ms)
        assert ref.steps_done == a.lab.steps_done and same_series(ref, a.lab)


async def test_tab_switches_the_side_and_an_edit_of_b_changes_only_b(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        screen = app.screen
        a, b = screen.runners
        plist = screen.param_panel.param_list
        assert plist.side == 0 and plist.current.runner is a
        await pilot.press("tab")
        assert plist.side == 1 and plist.current.runner is b
        name = plist.current.spec.name
        before = a.value(name)
        await pilot.press("right")
        assert a.value(name) == before and a.lab.params[name] == before
        assert b.value(name) != before and b.lab.params[name] == b.value(name)
        assert "editing B" in str(screen.param_panel.help_box.render())


async def test_a_differing_parameter_is_marked_in_both_columns_and_on_the_status_line(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        screen = app.screen
        assert DIFFER_MARK not in screen.param_panel.param_list.text().plain
        screen.param_panel.param_list.select("tau_m_ms")
        await pilot.press("tab", "right")
        line = param_line(screen, "tau_m_ms")
        a, b = screen.runners
        assert DIFFER_MARK in line
        assert f"{a.value('tau_m_ms'):g}" in line and f"{b.value('tau_m_ms'):g}" in line
        assert DIFFER_MARK not in param_line(screen, "V_rest_mV")
        status = str(screen.query_one(CompareStatusLine).render())
        assert "compare copy" in status and f"tau_m_ms={b.value('tau_m_ms'):g}" in status


async def test_the_sides_stay_at_the_same_time_when_b_has_another_time_step(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        screen = app.screen
        screen.param_panel.param_list.select("dt_ms")
        await pilot.press("tab", "0", ".", "2", "enter", "r")  # dt_ms applies on reset
        a, b = screen.runners
        assert (a.lab.dt_ms, b.lab.dt_ms) == (0.1, 0.2)
        for _ in range(7):
            await pilot.press("n")
            assert a.shown.t_ms == pytest.approx(b.shown.t_ms) and a.shown.t_ms > 0
        await pilot.press("0", ".", "1", "1", "enter", "r")  # a step that does not divide the frame
        assert b.lab.dt_ms == 0.11
        for _ in range(20):  # B is never more than a step behind: no drift
            await pilot.press("n")
            assert 0 <= a.shown.t_ms - b.shown.t_ms < 0.11


def test_lock_step_running_and_pausing_leaves_both_sides_at_the_same_time():
    # Live: frames run in chunks; without lockstep a pause may land between A's and B's chunk.
    cls = get_lab("lif")
    runners = [Runner(cls, fps=20), Runner(cls, overrides={"tau_m_ms": 40}, fps=20)]
    for r in runners:
        r.ms_per_frame = 1000.0  # 10,000 steps a frame: many chunks each
    sim = LabThread(runners, fps=20, lockstep=True)
    sim.start()
    try:
        for pause_after in (0.05, 0.13, 0.21):
            sim.set_running(True)
            time.sleep(pause_after)
            sim.set_running(False)
            assert sim.settle(60)
            assert runners[0].lab.steps_done == runners[1].lab.steps_done > 0
    finally:
        sim.stop()


async def test_b_again_keeps_the_chosen_side_with_its_state(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b")
        screen = app.screen
        screen.param_panel.param_list.select("tau_m_ms")
        await pilot.press("tab", "right", "n", "n")
        a, b = screen.runners
        kept_tau, t = b.value("tau_m_ms"), b.shown.t_ms
        await pilot.press("b")
        assert isinstance(app.screen, SidePicker)
        await pilot.press("down", "enter")  # B
        single = app.screen
        assert type(single) is LabScreen and len(single.runners) == 1
        r = single.runners[0]
        assert r.value("tau_m_ms") == kept_tau != a.value("tau_m_ms")
        assert r.shown.t_ms == t and same_series(r.lab, b.lab)
        await pilot.press("n")
        assert r.shown.t_ms > t  # it goes on from there


async def test_escape_in_the_side_picker_stays_in_the_comparison(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("b", "b", "escape")
        assert isinstance(app.screen, CompareScreen)


async def test_shift_b_opens_a_pair_with_its_a_and_b(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("B")
        picker = app.screen
        assert isinstance(picker, PairPicker)
        assert [k for k, _ in picker.options] == [p.name for p in pairs_of(get_lab("lif"))]
        await pilot.press("down", "down", "enter")  # refractory: t_ref 0 vs 5 ms
        screen = app.screen
        assert isinstance(screen, CompareScreen) and screen.pair == "refractory"
        a, b = screen.runners
        assert (a.value("t_ref_ms"), b.value("t_ref_ms")) == (0, 5)
        assert a.shown.preset_name == b.shown.preset_name == "refractory"
        assert "compare refractory" in str(screen.query_one(CompareStatusLine).render())


async def test_readouts_show_a_b_and_the_difference(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        open_comparison(app, "lif", pair="ex1")
        await pilot.pause()
        text = str(app.screen.query_one(CompareReadouts).render())
        # theory_rate_hz is the closed form: 18.95 Hz at 20 ms, 9.473 Hz at 40 ms
        assert "theory_rate_hz A 18.95 B 9.473 Δ -9.473 (-50%) Hz" in text, text


async def test_ex1_shows_b_firing_less_often_than_a(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        open_comparison(app, "lif", pair="ex1")
        await pilot.pause()
        screen = app.screen
        a, b = screen.runners
        while a.ms_per_frame < 20:
            await pilot.press("plus")
        while a.shown.t_ms < 1000:
            await pilot.press("n")
        ra, rb = a.shown.readouts["isi_rate_hz"], b.shown.readouts["isi_rate_hz"]
        assert rb < ra
        assert ra == pytest.approx(18.95, rel=0.01) and rb == pytest.approx(9.47, rel=0.01)  # 1/(tau_m ln 14)


async def test_the_chapter_view_offers_the_exercises_first(make_app):
    app = make_app("chapter")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("B")
        picker = app.screen
        assert isinstance(picker, PairPicker)
        keys = [k for k, _ in picker.options]
        assert keys[:3] == ["lif ex1", "hebb ex2", "hebb ex3"]
        await pilot.press("down", "enter")
        screen = app.screen
        assert isinstance(screen, CompareScreen) and screen.pair == "ex2"
        assert screen.runners[0].lab_cls.name == "hebb"


async def test_open_comparison_lays_a_and_b_over_the_pair(make_app):
    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        open_comparison(app, "lif", pair="ex1", a={"I_ext_nA": 2.0}, b={"tau_m_ms": 30}, seed=7)
        await pilot.pause()
        screen = app.screen
        a, b = screen.runners
        assert (a.value("tau_m_ms"), b.value("tau_m_ms")) == (20, 30)
        assert (a.value("I_ext_nA"), b.value("I_ext_nA")) == (2.0, 1.8)
        assert a.shown.rng_seed == b.shown.rng_seed == 7
        assert len(app.screen_stack) == 2  # replaced the lab screen, not pushed over it


@pytest.mark.parametrize("lab,pair", [(lab, p.name) for lab, cls in all_labs().items() for p in pairs_of(cls)])
async def test_every_pair_opens_and_steps_in_lock_step(make_app, lab, pair):
    app = make_app(lab)
    async with app.run_test(size=(120, 40)) as pilot:
        open_comparison(app, lab, pair=pair)
        await pilot.pause()
        await pilot.press("n", "n")
        screen = app.screen
        a, b = screen.runners
        assert isinstance(screen, CompareScreen) and not a.shown.error and not b.shown.error
        assert a.shown.t_ms == b.shown.t_ms > 0
        assert screen.differing() or a.lab.params == b.lab.params


async def test_b_in_the_chapter_view_compares_the_selected_lab(make_app):
    app = make_app("chapter")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", "b")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert [r.lab_cls.name for r in screen.runners] == ["lif", "lif"]
        assert screen.runners[0].shown.t_ms == screen.runners[1].shown.t_ms > 0


async def test_the_pair_key_is_hidden_for_a_lab_without_pairs(make_app):
    app = make_app()  # the toy lab declares no pairs
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert screen.check_action("pick_pair", ()) is False
        await pilot.press("B")
        assert app.screen is screen


async def test_live_fast_keys_through_a_comparison_never_crash(make_app):
    # Live (the lab thread runs on its own, keys do not wait): b twice in a row, edits, the
    # side picker, the pair picker, all faster than the copies come back.
    app = make_app("lif", autoplay=True, sync=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("b", "b")
        await pilot.pause(0.5)
        if isinstance(app.screen, SidePicker):  # the second b reached the comparison: it asks
            await pilot.press("escape")
        assert isinstance(app.screen, CompareScreen)
        assert sum(isinstance(s, LabScreen) for s in app.screen_stack) == 1
        await pilot.press("tab", "right", "right", "b", "down", "enter")
        await pilot.pause(0.5)
        assert type(app.screen) is LabScreen and app.screen.runners[0].value("tau_m_ms") == 22
        await pilot.press("B", "enter", "space", "space")
        await pilot.pause(0.5)
        screen = app.screen
        assert isinstance(screen, CompareScreen) and screen.pair == "ex1"
        await pilot.pause(0.5)
        assert screen.runners[0].shown.t_ms == screen.runners[1].shown.t_ms


async def test_export_writes_a_comparison_that_hebblab_compare_replays(make_app, tmp_path):
    import json
    import subprocess
    import sys

    app = make_app("lif")
    async with app.run_test(size=(120, 40)) as pilot:
        open_comparison(app, "lif", pair="ex1")
        await pilot.pause()
        while app.screen.runners[0].ms_per_frame < 100:
            await pilot.press("plus")
        await pilot.press(*"n" * 5, "e")
        a, b = app.screen.runners
        rates = a.shown.readouts["isi_rate_hz"], b.shown.readouts["isi_rate_hz"]
    (out,) = (tmp_path / "out").iterdir()
    assert sorted(p.name for p in out.iterdir()) == ["a", "b", "compare.json"]
    record = json.loads((out / "compare.json").read_text())
    assert record["pair"] == "ex1" and record["differs"] == ["tau_m_ms"] and record["duration_ms"] == 500
    proc = subprocess.run([sys.executable, "-m", "hebblab", "compare", "--config", str(out), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    replay = json.loads(proc.stdout)
    assert (replay["a"]["metrics"]["isi_rate_hz"], replay["b"]["metrics"]["isi_rate_hz"]) == pytest.approx(rates)
