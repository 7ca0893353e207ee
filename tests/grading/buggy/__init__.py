"""Near-miss answers: for each autograded question, one plausible but wrong variant.

`tests/grading/buggy/<exercise>.py` holds `BUGS = {test_grade_id: (answer_grade_id, source)}`:
the answer cell's buggy code (an off-by-one, a missing mask, a wrong sign) that the question's
tests must catch. `buggy_submissions` turns them into as few notebooks as it can: variants go
into one notebook together unless one question's answer or test cell reads what another's
answer or test defines, so that each question is graded with only its own answer wrong.
"""

import ast
import importlib

import nbformat

from tests.grading.exercise_helpers import nbgrader_cells, set_answer, source_path


def bugs_of(exercise: str) -> dict:
    try:
        module = importlib.import_module(f"tests.grading.buggy.{exercise}")
    except ModuleNotFoundError:
        return {}
    return module.BUGS


def _defined(source: str) -> set:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):  # a parameter of a function or lambda in the cell
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _globals(source: str) -> set:
    """Names a cell leaves behind for the next cells: its top-level definitions only."""
    names = set()
    for statement in ast.parse(source).body:
        if isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif not isinstance(statement, (ast.FunctionDef, ast.ClassDef, ast.Lambda)):
            for node in ast.walk(statement):
                if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)):
                    continue
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, ast.alias):
                    names.add((node.asname or node.name).split(".")[0])
    return names


def _free(source: str) -> set:
    """Names a cell reads but does not define itself: what it takes from other cells."""
    read = {
        node.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    return read - _defined(source)


def dependencies(exercise: str) -> dict[str, set[str]]:
    """{test id: the other questions (test ids) whose answers or tests it relies on}."""
    cells = nbgrader_cells(nbformat.read(source_path(exercise), 4))
    answers = {test: answer for test, (answer, _) in bugs_of(exercise).items()}
    owned = {
        test: _globals(cells[answer].source) | _globals(cells[test].source)
        for test, answer in answers.items()
    }
    reads = {
        test: _free(cells[test].source) | _free(cells[answer].source)
        for test, answer in answers.items()
    }
    depends = {t: {o for o in answers if o != t and reads[t] & owned[o]} for t in answers}
    changed = True
    while changed:  # through other questions too: q3 calls q2's function, which uses q1's
        changed = False
        for test in answers:
            more = set().union(*(depends[o] for o in depends[test])) - depends[test] - {test}
            if more:
                depends[test] |= more
                changed = True
    return depends


def rounds(exercise: str) -> list[dict]:
    """The bugs split into groups that can be graded in one notebook each."""
    bugs = bugs_of(exercise)
    depends = dependencies(exercise)
    groups: list[dict] = []
    for test, bug in bugs.items():
        for group in groups:
            if not any(other in depends[test] or test in depends[other] for other in group):
                group[test] = bug
                break
        else:
            groups.append({test: bug})
    return groups


def buggy_submissions(exercise: str) -> list[tuple[str, object, dict]]:
    """[(student id, notebook, bugs it holds)] for one exercise's near-miss answers."""
    written = []
    for number, group in enumerate(rounds(exercise), start=1):
        notebook = nbformat.read(source_path(exercise), 4)
        for answer, source in group.values():
            set_answer(notebook, answer, source)
        written.append((f"buggy{number}", notebook, group))
    return written


def _crashing(source: str) -> str:
    """The answer's function (or class) with the same name and arguments, raising at once."""
    node = next(
        n for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
    )
    if isinstance(node, ast.ClassDef):
        return (
            f"class {node.name}:\n    def __init__(self, *args, **kwargs):\n"
            '        raise RuntimeError("a bug in the answer")'
        )
    signature = f"def {node.name}({ast.unparse(node.args)}):"
    return signature + '\n    raise RuntimeError("a bug in the answer")'


def tampered_submission(exercise: str):
    """(notebook, broken test ids, expected full-mark test ids): the answer of one question
    raises, and another question's answer is wrong with its test cell replaced by `pass`
    (grading restores it). Both are questions no other question relies on."""
    notebook = nbformat.read(source_path(exercise), 4)
    cells = nbgrader_cells(notebook)
    depends = dependencies(exercise)
    answers = {test: answer for test, (answer, _) in bugs_of(exercise).items()}
    free = [t for t in answers if not any(t in depends[o] for o in answers)]
    raising, tampered = free[0], free[-1]
    set_answer(notebook, answers[raising], _crashing(cells[answers[raising]].source))
    set_answer(notebook, answers[tampered], bugs_of(exercise)[tampered][1])
    cells[tampered].source = "pass"
    broken = {raising, tampered}
    intact = [t for t in answers if t not in broken and not depends[t] & broken]
    return notebook, broken, intact
