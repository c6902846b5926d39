"""The headless path stays lean: sim never loads textual/rich/plotext, `hebblab run`
(including --json and the text summary) never loads textual or rich's live display, and the
chart renderer is loaded only when charts are drawn.

Each check runs in a fresh interpreter, because this test process may have imported
textual already (the TUI tests).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

GUI = ("textual", "rich", "plotext", "textual_plotext")


def _probe(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _loaded(mods, names=GUI):
    return sorted(m for m in mods if m.split(".")[0] in names)


def test_sim_and_all_labs_import_no_gui_libraries():
    mods = _probe("""
        import json, sys
        import hebblab.sim, hebblab.sim.recording
        from hebblab.sim.labs import all_labs
        labs = all_labs()
        for lab in labs.values():
            lab(seed=1).step(10)
        print(json.dumps({"labs": list(labs), "mods": list(sys.modules)}))
    """)
    assert mods["labs"], "no labs registered"
    assert _loaded(mods["mods"]) == []


def test_hebblab_run_json_loads_no_textual_and_no_live_display():
    mods = _probe("""
        import contextlib, io, json, sys
        from hebblab.sim.labs import all_labs
        from hebblab.cli.main import main
        codes = {}
        for lab in ["lif"] if "lif" in all_labs() else list(all_labs()):
            with contextlib.redirect_stdout(io.StringIO()):
                codes[lab] = main(["run", lab, "--json", "--duration", "50"])
        with contextlib.redirect_stdout(io.StringIO()):
            codes["summary"] = main(["run", next(iter(all_labs())), "--no-plot", "--duration", "50"])
        print(json.dumps({"codes": codes, "mods": list(sys.modules)}))
    """)
    assert set(mods["codes"].values()) == {0}
    assert _loaded(mods["mods"]) == []  # neither textual, nor rich (live or otherwise), nor plotext
    assert "hebblab.chart_render" not in mods["mods"]  # no charts asked for: no renderer


def test_hebblab_run_with_plot_loads_the_renderer_but_no_display_library():
    mods = _probe("""
        import contextlib, io, json, sys
        from hebblab.sim.labs import all_labs
        from hebblab.cli.main import main
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = main(["run", next(iter(all_labs())), "--plot", "--duration", "50"])
        print(json.dumps({"code": code, "chart": "└" in out.getvalue(), "mods": list(sys.modules)}))
    """)
    assert mods["code"] == 0 and mods["chart"]
    assert "hebblab.chart_render" in mods["mods"]  # proves the probe sees lazily imported modules
    assert _loaded(mods["mods"]) == []  # one in-house renderer: no plotext, textual or rich
    assert "rich.live" not in mods["mods"]
