"""Lab registry: every module in this package that defines `LAB` (a Lab subclass).

Adding a lab means adding one module here and its tests; front ends discover it.
"""

from __future__ import annotations

import importlib
import pkgutil

from hebblab.sim.labs.base import Lab
from hebblab.sim.params import ParamError, closest

_SKIP = {"base"}


def all_labs() -> dict[str, type[Lab]]:
    """name -> Lab class, in a stable order (the chapter's labs first)."""
    found: dict[str, type[Lab]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in _SKIP or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        lab = getattr(module, "LAB", None)
        if lab is not None:
            found[lab.name] = lab
    first = [n for n in ("lif", "hebb") if n in found]
    return {n: found[n] for n in first + sorted(set(found) - set(first))}


def get_lab(name: str) -> type[Lab]:
    """The lab class for a name, or ParamError with the closest valid name."""
    module_name = name.replace("-", "_")
    if module_name.isidentifier() and module_name not in _SKIP and not module_name.startswith("_"):
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{module_name}":
                raise
        else:
            lab = getattr(module, "LAB", None)
            if lab is not None and lab.name == name:
                return lab
    labs = all_labs()
    if name in labs:
        return labs[name]
    raise ParamError("lab", f"unknown lab {name!r}; choose one of " + ", ".join(labs) + closest(name, labs))


__all__ = ["Lab", "all_labs", "get_lab"]
