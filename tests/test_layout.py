"""The package's shape, as the course's guide asks: short modules, flat short signatures."""

import ast

import pytest

from mmcourse import paths

PACKAGE = paths.course_root() / "mmcourse"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 300
MAX_PARAMETERS = 7


def _relative(path):
    return path.relative_to(PACKAGE.parent).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_module_is_at_most_300_lines(path):
    num_lines = len(path.read_text().splitlines())
    assert num_lines <= MAX_LINES, f"{_relative(path)} has {num_lines} lines: split it by concept"


@pytest.mark.parametrize("path", MODULES, ids=_relative)
def test_no_function_takes_more_than_7_parameters(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            names = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
            names = [n for n in names if n not in ("self", "cls")]
            assert len(names) <= MAX_PARAMETERS, (
                f"{_relative(path)}:{node.lineno} {node.name}() takes {len(names)} parameters: "
                f"{names}; group them (a settings object) or split the function"
            )
