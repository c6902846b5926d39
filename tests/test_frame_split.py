"""Every registered lab (present and future): presets validate, and the same total steps
give bit-identical results however they are split into frames (docs/architecture.md)."""

import math

import numpy as np
import pytest

from hebblab.sim.labs import all_labs

LABS = all_labs()
CASES = [(name, p.name) for name, lab in LABS.items() for p in lab.presets]
SPLIT = (1, 2, 37, 200)  # 240 steps: short, so the whole file stays fast


def same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def snapshot(lab):
    series = {name: (s.x, s.y, s.overlays, s.markers, s.groups) for name, s in lab.series().items()}
    return lab.readouts(), lab.metrics(), series, lab.diverged


@pytest.mark.parametrize("lab_name", list(LABS))
def test_lab_declarations(lab_name):
    lab = LABS[lab_name]
    assert lab.name == lab_name and lab.title and lab.summary and lab.presets
    assert len({p.name for p in lab.presets}) == len(lab.presets)
    assert len({s.name for s in lab.specs}) == len(lab.specs)
    for preset in lab.presets:
        assert preset.description
        lab.resolve_params(preset.name)  # validates names, ranges and cross-checks


@pytest.mark.parametrize("lab_name,preset", CASES)
def test_frame_split_invariance(lab_name, preset):
    lab = LABS[lab_name]
    whole = lab(seed=11, preset=preset)
    whole.step(sum(SPLIT))
    split = lab(seed=11, preset=preset)
    for n in SPLIT:
        split.step(n)
    assert whole.steps_done == split.steps_done  # fewer than asked if the lab diverged
    a, b = snapshot(whole), snapshot(split)
    for part, x, y in zip(("readouts", "metrics", "series", "diverged"), a, b):
        assert same(x, y), f"{lab_name}/{preset}: {part} differ between step({sum(SPLIT)}) and steps {SPLIT}"
    # Reset with the same seed replays exactly.
    whole.reset()
    whole.step(sum(SPLIT))
    assert same(snapshot(whole), b)
