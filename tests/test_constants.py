"""The domain constants are defined once, in `mmcourse/constants.py`; every module imports them."""

import ast
from pathlib import Path

import pytest

import mmcourse
from mmcourse import constants

NAMES = ("CLASS_NAMES", "NUM_CLASSES", "SPLITS", "LABEL_COLUMNS", "PHENOMENA", "SEQUENCE_LENGTH")
PACKAGE = Path(mmcourse.__file__).parent
HOME = PACKAGE / "constants.py"


def _targets(node):
    """The names a module-level statement binds by assignment (tuples and `for` included)."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    else:
        targets = []
    for target in targets:
        for name in ast.walk(target):
            if isinstance(name, ast.Name):
                yield name.id


def _module_level(statements):
    """Module-level statements, looking inside `if`/`try`/`with`/`for` blocks (not functions)."""
    for node in statements:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(node, field, None)
            if isinstance(children, list) and not isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                yield from _module_level(children)


def redefinitions(root: Path = PACKAGE, home: Path = HOME) -> list[str]:
    """`"path:line NAME"` for each module-level assignment of a domain constant outside `home`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == home:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _module_level(tree.body):
            for name in _targets(node):
                if name in NAMES:
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {name}")
    return found


def test_constants_module_defines_every_name():
    assert all(hasattr(constants, name) for name in NAMES)
    assert len(constants.CLASS_NAMES) == constants.NUM_CLASSES


def test_no_other_module_redefines_a_domain_constant():
    assert redefinitions() == []


@pytest.mark.parametrize(
    "source",
    [
        "CLASS_NAMES = ('a', 'b')",
        "NUM_CLASSES: int = 3",
        "X, SPLITS = 1, ('train',)",
        "try:\n    PHENOMENA = ()\nexcept ImportError:\n    pass",
        "if True:\n    SEQUENCE_LENGTH = 24",
    ],
)
def test_the_check_finds_a_redefinition(tmp_path, source):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "constants.py").write_text("CLASS_NAMES = ()\n")
    (package / "other.py").write_text(source + "\n")
    assert len(redefinitions(package, package / "constants.py")) == 1


def test_imports_and_local_variables_are_not_redefinitions(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "constants.py").write_text("CLASS_NAMES = ()\n")
    (package / "other.py").write_text(
        "from pkg.constants import CLASS_NAMES, SPLITS\n"
        "def f():\n    SPLITS = ('train',)\n    return SPLITS\n"
        "class C:\n    NUM_CLASSES = 2\n"
    )
    assert redefinitions(package, package / "constants.py") == []
