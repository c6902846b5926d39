"""The layers, held statically: every import statement in the source (module level or inside a
function) is read with ast and checked against the rules of docs/architecture.md.

import-linter would be the library for this, but its module graph (grimp) cannot follow
pyproject's package-dir mapping: `lint-imports` stops at "Module 'hebblab.sim' does not exist".
tests/test_import_hygiene.py checks the same rules at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"hebblab.sim": "sim", "hebblab.cli": "cli", "hebblab.tui": "tui", "hebblab": "hebblab"}
DISPLAY = ("textual", "textual_plotext", "textual_serve", "rich", "plotext")

# (importer prefix, forbidden prefixes); a deliberate exception is (importer module, imported).
RULES = {
    "hebblab.sim": ("hebblab.cli", "hebblab.tui", "hebblab.runfiles", "hebblab.reduce", "hebblab.errors",
                    *DISPLAY),
    "hebblab.cli": ("hebblab.tui", "textual", "textual_plotext"),
    "hebblab.tui": ("hebblab.cli",),
    "hebblab.root": ("hebblab.cli", "hebblab.tui", "textual", "textual_plotext", "textual_serve", "rich"),
}
EXCEPTIONS = {
    # `hebblab tui` opens the app, and only when that command is chosen (inside run()).
    "hebblab.cli.commands.tui": ("hebblab.tui.app", "hebblab.tui.compare_mode"),
    # `python -m hebblab` is the command line.
    "hebblab.__main__": ("hebblab.cli.main",),
}


def _modules():
    for package, folder in FOLDERS.items():
        base = ROOT / folder
        files = base.glob("*.py") if package == "hebblab" else base.rglob("*.py")
        for path in files:
            parts = list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join([package, *parts]), path


def _imports(module: str, path: Path):
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _layer(module: str) -> str:
    for prefix in ("hebblab.sim", "hebblab.cli", "hebblab.tui"):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return "hebblab.root"


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_every_layer_has_modules():
    layers = {_layer(m) for m, _ in _modules()}
    assert layers == set(RULES)


@pytest.mark.parametrize("module,path", sorted(_modules()), ids=lambda v: v if isinstance(v, str) else "")
def test_imports_respect_the_layers(module, path):
    forbidden = RULES[_layer(module)]
    bad = sorted({name for name in _imports(module, path)
                  if any(_under(name, f) for f in forbidden) and not any(_under(name, e) for e in EXCEPTIONS.get(module, ()))})
    assert not bad, f"{module} imports {bad}"


def test_no_top_level_sim_or_tui_imports_remain():
    """Every first-party import goes through the hebblab namespace."""
    bad = [(m, name) for m, path in _modules() for name in _imports(m, path)
           if name.split(".")[0] in ("sim", "tui", "cli")]
    assert not bad


def test_the_checker_sees_function_level_imports():
    """The rules would be empty words if imports inside functions were missed."""
    names = set(_imports("hebblab.cli.commands.tui", ROOT / "cli" / "commands" / "tui.py"))
    assert "hebblab.tui.app" in names
