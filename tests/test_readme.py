"""The README's parameter tables and preset lists are the labs' own declarations: when a
lab changes, this fails until the README is regenerated (`hebblab params LAB --markdown`)."""

from pathlib import Path

import pytest

from hebblab.sim.labs import all_labs
from hebblab.cli.main import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", list(all_labs()))
def test_readme_has_the_current_parameter_table(name, capsys):
    assert main(["params", name, "--markdown"]) == 0
    table = capsys.readouterr().out.strip()
    assert table in README, f"README's table for {name} is stale: regenerate it with `hebblab params {name} --markdown`"


@pytest.mark.parametrize("name", list(all_labs()))
def test_readme_lists_every_preset(name):
    lab = all_labs()[name]
    section = README.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
    for preset in lab.presets:
        assert f"`{preset.name}`" in section, f"README does not list {name}'s preset {preset.name}"


def test_readme_names_exactly_two_setup_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = [block for block in setup.split("```bash")[1:]]
    assert len(commands) == 2
    assert "hebblab" in commands[0] and "pytest" in commands[1]
