"""environment.yml (conda) must install what `pip install -e ".[cpu,dev]"` installs."""

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mmcourse import paths

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = paths.course_root()
EXTRAS = ("cpu", "dev")


def normalize(requirements):
    """Sorted `(name, extras, specifiers, marker)` tuples, spelling-independent."""
    keys = []
    for text in requirements:
        requirement = Requirement(text)
        keys.append(
            (
                canonicalize_name(requirement.name),
                tuple(sorted(requirement.extras)),
                tuple(sorted(str(spec) for spec in requirement.specifier)),
                str(requirement.marker or ""),
            )
        )
    return sorted(keys)


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_and_pip(env):
    conda = [dep for dep in env["dependencies"] if isinstance(dep, str)]
    sections = [dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict)]
    assert len(sections) == 1, "environment.yml needs exactly one `pip:` section"
    return conda, sections[0]


def test_environment_pip_section_matches_pyproject():
    project = pyproject()
    expected = list(project["dependencies"])
    for extra in EXTRAS:
        expected += project["optional-dependencies"][extra]
    _, pip = conda_and_pip(environment())
    listed = [line for line in pip if not line.startswith("-e")]
    assert normalize(listed) == normalize(expected)
    assert len(listed) == len(expected)


def test_environment_installs_the_course_package_without_hiding_deps():
    _, pip = conda_and_pip(environment())
    editable = [line for line in pip if line.startswith("-e")]
    assert editable == ["-e ."], "list the dependencies explicitly, not via `-e .[extras]`"


def test_environment_python_and_channels():
    env = environment()
    conda, _ = conda_and_pip(env)
    assert env["channels"] == ["conda-forge"]
    assert f"python{pyproject()['requires-python']}" in conda
    assert "pip" in conda


def test_normalize_catches_a_dependency_missing_from_one_side():
    both = ["keras>=3.10,<4", "numpy>=1.26"]
    assert normalize(["Keras <4, >=3.10", "numpy>=1.26"]) == normalize(both)
    assert normalize(["keras>=3.10,<4"]) != normalize(both)
    assert normalize(["keras>=3.10,<5", "numpy>=1.26"]) != normalize(both)
    assert normalize(["keras>=3.10,<4", "numpy>=1.26; python_version > '3'"]) != normalize(both)
