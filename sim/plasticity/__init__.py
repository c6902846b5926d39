"""Plasticity rules behind one interface (see base.py)."""

from hebblab.sim.plasticity.base import EventDrivenRule, PlasticityRule, WeightConstraints

__all__ = ["EventDrivenRule", "PlasticityRule", "WeightConstraints"]
