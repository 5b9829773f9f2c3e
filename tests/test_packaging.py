"""The install files agree with each other; CI calls the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _normalized(specs):
    return {str(Requirement(s)).lower().replace("_", "-") for s in specs}


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in ("book", "test", "dev", "lab", "cluster"):  # what `make setup` installs
        wanted += project["optional-dependencies"][extra]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _normalized(pip) == _normalized(wanted)


def test_makefile_torch_pin_satisfies_the_pyproject_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    torch_req = next(Requirement(d) for d in project["dependencies"] if d.startswith("torch"))
    pin = re.search(r"TORCH_PIN \?= torch==([\d.]+)", (ROOT / "Makefile").read_text()).group(1)
    assert torch_req.specifier.contains(Version(pin))


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make reproduce" in readme
    first, second = [i for i, line in enumerate(readme.splitlines()) if line.startswith("## ")][:2]
    lines = readme.splitlines()[:second]
    assert any("make reproduce" in line for line in lines), "the two commands come first"
    assert any("make test" in line for line in lines)
    assert "command" in readme.splitlines()[first]
