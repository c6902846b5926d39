"""`hebblab export`: one standalone, readable script that runs a lab's experiment in another
simulator.

A script is a template from templates/ (`<engine>_<lab>.py`: real Python with a
`simulate()` that builds and runs the model and a `main()` that prints hebblab's metric
names as one JSON object) with its experiment block filled in: every parameter of the run
under the lab's own names (as `hebblab params LAB` lists them), the seed and the duration.
The NEST templates import what they share (templates/nest_shared.py: slicing a run, the
MPI spike swap, the command line); the script gets that code pasted in place of the
import. Nothing in a script imports hebblab.

What an engine cannot run is refused before anything is written (`check`: UsageError,
one line); what it runs differently (NEST has no forward Euler) is a warning for stderr.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from typing import Any, Mapping

import hebblab
from hebblab.engines import ENGINES
from hebblab.errors import UsageError

LABS = ("lif", "ei", "stdp")  # labs with a model in every engine
DISPLAY_ONLY = {"lif": ("draw_spikes", "spike_peak_mV", "trace_ms")}  # nothing to simulate
BLOCK = re.compile(r"(# --- experiment: written by `hebblab export` -+\n)(.*?)(# --- end of experiment -+\n)",
                   re.DOTALL)
# A NEST template imports what every NEST script shares (templates/nest_shared.py); the
# script gets that module's code from its "pasted" line on, in place of the import.
SHARED = re.compile(r"(# --- shared by the NEST scripts .*?\n)(from hebblab\.engines\.templates\.nest_shared import .*?\n)"
                    r"(# --- end of shared -+\n)")
SHARED_START = "# --- pasted into every exported NEST script from here"


def template_name(engine: str, lab: str) -> str:
    return f"{engine}_{lab}"


def check(engine: str, lab_cls, params: Mapping[str, Any]) -> list[str]:
    """UsageError if `engine` has no model for this lab or these parameters; else the
    warnings (one line each) about what the engine does differently."""
    lab = lab_cls.name
    if engine not in ENGINES:
        raise UsageError(f"--to: expected one of {', '.join(ENGINES)}, got {engine!r}")
    if lab not in LABS:
        raise UsageError(f"--to: {engine} has no model of lab {lab!r} here; export supports "
                         f"{', '.join(LABS)}")
    p = params
    warnings: list[str] = []
    if engine == "nest" and lab == "lif" and p["method"] == "euler":
        warnings.append("NEST integrates the LIF cell exactly (iaf_psc_delta): method=euler runs as "
                        "method=exact there (forward Euler fires early: by 0.15 % of an ISI at dt 0.1 ms "
                        "for the chapter's cell); --set method=exact compares spike for spike")
    if engine == "nest" and lab == "stdp" and p["synapse_drive"] == "fixed" \
            and p["E_e_mV"] <= p["V_reset_mV"]:
        raise UsageError(f"--to: nest: with synapse_drive=fixed the synaptic current g_e*(E_e_mV - "
                         f"V_reset_mV) must be excitatory for NEST's stdp_synapse; got E_e_mV "
                         f"{p['E_e_mV']:g} <= V_reset_mV {p['V_reset_mV']:g}")
    if engine == "brian2" and lab == "lif" and p["noise_nA"] > 0 and p["method"] == "exact":
        warnings.append("Brian2's exact integrator takes no noise: the noisy cell runs with "
                        "Euler-Maruyama steps (same statistics at this dt)")
    return warnings


def experiment_block(lab: str, params: Mapping[str, Any], specs, seed: int, duration_ms: float) -> str:
    """PARAMS, SEED and DURATION_MS as Python source, one parameter a line with its unit and help."""
    by_name = {s.name: s for s in specs}
    skip = set(DISPLAY_ONLY.get(lab, ()))
    lines = ["PARAMS = {"]
    for name, value in params.items():
        if name in skip:
            continue
        spec = by_name.get(name)
        note = ""
        if spec is not None:
            help_text = spec.help if "science.md" not in spec.help else ""
            note = "; ".join(x for x in (spec.unit, help_text) if x)
        text = f"    {_py(name)}: {_py(value)},"
        lines.append(f"{text}  # {note}" if note else text)
    lines.append("}")
    lines.append(f"SEED = {int(seed)}")
    lines.append(f"DURATION_MS = {float(duration_ms)!r}")
    return "\n".join(lines) + "\n"


def render(engine: str, lab_cls, preset: str, params: Mapping[str, Any], seed: int, duration_ms: float,
           command: str) -> str:
    """The script's text: the template with its experiment block filled in and a header
    naming the command that wrote it."""
    source = template_source(engine, lab_cls.name)
    block = experiment_block(lab_cls.name, params, lab_cls.specs, seed, duration_ms)
    text, count = BLOCK.subn(lambda m: m.group(1) + block + m.group(3), source, count=1)
    if count != 1:
        raise RuntimeError(f"template {template_name(engine, lab_cls.name)} has no experiment block")
    header = (f"# Written by hebblab {hebblab.__version__}: {command}\n"
              f"# lab {lab_cls.name}, preset {preset}, seed {seed}, {duration_ms:g} ms of biological time.\n"
              f"# Standalone: needs {'NEST 3' if engine == 'nest' else 'Brian2'} and numpy, nothing from hebblab.\n")
    shebang, _, rest = text.partition("\n")
    return f"{shebang}\n{header}{rest}"


def template_source(engine: str, lab: str) -> str:
    """The template's text with the shared NEST code pasted in: nothing in it imports hebblab."""
    files = importlib.resources.files("hebblab.engines.templates")
    text = (files / f"{template_name(engine, lab)}.py").read_text(encoding="utf-8")
    if engine != "nest":
        return text
    shared = (files / "nest_shared.py").read_text(encoding="utf-8")
    code = shared[shared.index(SHARED_START):].split("\n", 1)[1]
    text, count = SHARED.subn(lambda m: m.group(1) + code.strip("\n") + "\n" + m.group(3), text, count=1)
    if count != 1:
        raise RuntimeError(f"template {template_name(engine, lab)} does not import nest_shared")
    return text


def _py(value: Any) -> str:
    """Python source for a parameter name or value (double-quoted strings)."""
    return json.dumps(value) if isinstance(value, str) else repr(value)
