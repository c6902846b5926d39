"""Plasticity rules behind one interface (see base.py)."""

from sim.plasticity.base import PlasticityRule, WeightConstraints

__all__ = ["PlasticityRule", "WeightConstraints"]
