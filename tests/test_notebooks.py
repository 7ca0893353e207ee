"""Every lesson notebook follows the course's shape, and lesson 01 agrees with the dataset card."""

import json
import re

import pytest

from mmcourse import lessons, paths

NOTEBOOKS = sorted(paths.notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
CARD_METADATA = paths.shipped_dataset() / "moodposts" / "metadata.json"


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _text_outputs(cell):
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            yield "".join(output["text"])
        elif "text/plain" in output.get("data", {}):
            yield "".join(output["data"]["text/plain"])


def test_there_are_lessons():
    assert [p.name[:2] for p in NOTEBOOKS][:2] == ["00", "01"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_has_title_objectives_time_and_one_seed_cell(path):
    cells = _cells(path)
    first = "".join(cells[0]["source"])
    assert first.startswith("# "), "the first cell is the lesson's title"
    assert "Objectives" in first and "Estimated time" in first
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert sum("seed_everything(" in s for s in sources) == 1
    assert "what we learned" in "".join(cells[-2]["source"]).lower()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_stores_no_stderr_and_no_errors(path):
    for cell in _cells(path):
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", "a stored error output"
            assert output.get("name") != "stderr", "a stored stderr output (nbval compares it)"
            # library warnings that reach stdout (TensorFlow's logger does, in a kernel)
            for text in _text_outputs({"outputs": [output]}):
                assert "WARNING:tensorflow" not in text and "retracing" not in text, text[:200]


@pytest.mark.parametrize(
    "path", sorted(paths.notebooks_dir().glob("appendix_*.ipynb")), ids=lambda p: p.name
)
def test_appendix_stores_an_error_only_where_a_cell_is_tagged_to_raise(path):
    # The errata appendix shows the article's listings failing as printed: those cells carry
    # nbval's `nbval-raises-exception` tag and store the error they teach; no other cell may.
    for index, cell in enumerate(_cells(path)):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        tagged = "nbval-raises-exception" in cell.get("metadata", {}).get("tags", [])
        assert len(errors) == (1 if tagged else 0), (index, "".join(cell["source"])[:80])
        assert all(o.get("name") != "stderr" for o in cell.get("outputs", [])), index


@pytest.mark.parametrize(
    "path", sorted(paths.notebooks_dir().glob("*.ipynb")), ids=lambda p: p.name
)
def test_lesson_stores_no_path_of_the_machine_it_ran_on(path):
    import tempfile

    machine = (str(paths.course_root()), tempfile.gettempdir() + "/tmp")
    for cell in _cells(path):
        tracebacks = [
            "\n".join(o["traceback"]) for o in cell.get("outputs", []) if "traceback" in o
        ]
        for text in [*_text_outputs(cell), *tracebacks]:
            assert not any(part in text for part in machine), f"{path.name}: {text[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tensorflow_is_never_imported_in_a_checked_cell(path):
    for cell in _cells(path):
        source = "".join(cell["source"])
        if "nbval-check-output" in cell.get("metadata", {}).get("tags", []):
            assert not re.search(r"import tensorflow|to_tf_dataset", source), source[:80]


IMPORT_LINE = re.compile(r"^\s*(?:import|from)\s+(?:keras|tensorflow|mmcourse)\b.*$", re.M)
ONEDNN_OFF = '("TF_ENABLE_ONEDNN_OPTS", "0")'


@pytest.mark.parametrize("entry", lessons.LESSONS, ids=lambda entry: entry.notebook)
def test_a_notebook_turns_onednn_on_where_the_registry_says_before_tensorflow_loads(entry):
    """Lesson 04 (`Lesson.onednn`) calls `quiet.import_tensorflow(onednn=True)` before any
    line that imports Keras, TensorFlow or mmcourse (but `mmcourse.quiet`); the others set
    `TF_ENABLE_ONEDNN_OPTS=0` in their setup cell, as `make` does."""
    cells = _cells(paths.notebooks_dir() / entry.notebook)
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    call = code.find("quiet.import_tensorflow(onednn=True)")
    if not entry.onednn:
        assert call == -1 and ONEDNN_OFF in code, entry.notebook
        return
    assert call != -1 and ONEDNN_OFF not in code, entry.notebook
    imports = [m for m in IMPORT_LINE.finditer(code) if m.group(0) != "from mmcourse import quiet"]
    assert imports[0].start() > call, f"imported before oneDNN was set: {imports[0].group(0)!r}"


@pytest.mark.parametrize(
    "path", sorted(paths.notebooks_dir().glob("*.ipynb")), ids=lambda p: p.name
)
def test_learners_see_no_nbval_comments_and_no_echoed_setup_values(path):
    """nbval's markers are cell tags, not comments in the learner's code; no setup cell
    echoes a value (`os.environ.setdefault` returns one, so does `seed_everything`)."""
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        assert "# NBVAL_" not in source, source[:80]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                shown = "".join(output["data"].get("text/plain", ""))
                assert shown not in ("'0'", "'3'", "0", "42"), f"{source[:60]!r} echoes {shown}"


def test_lesson_01_prints_the_numbers_of_the_dataset_card():
    metadata = json.loads(CARD_METADATA.read_text())
    printed = "\n".join(text for cell in _cells(NOTEBOOKS[1]) for text in _text_outputs(cell))
    for label, count in metadata["labels"].items():
        assert re.search(rf"{count}\b", printed), f"{label} count {count} not printed"
    for view in ("text", "image", "both"):
        ceiling = f"{100 * metadata['ceilings'][view]['overall']:.1f}"
        assert ceiling in printed, f"{view} ceiling {ceiling} not printed"
    for name, count in metadata["phenomena"].items():
        assert re.search(rf"{name}\s+{count}\b", printed), f"{name}: {count} not printed"


CHECKED_LESSONS = ("03", "04", "05", "06", "07", "08", "09")


@pytest.mark.parametrize("number", CHECKED_LESSONS)
def test_lesson_checks_its_claims_in_a_cell_that_may_not_fail(number):
    """The claims of lessons 03-09 are checked in the notebook (nbval runs it in CI): a cell
    calls `claims.check(<lesson>.lesson_claims(...))`, strict in both modes, and no tag lets
    that cell raise."""
    (path,) = [p for p in NOTEBOOKS if p.name.startswith(number)]
    checks = [
        cell
        for cell in _cells(path)
        if cell["cell_type"] == "code"
        and re.search(r"claims\.check\(\s*\w+\.lesson_claims\(", "".join(cell["source"]))
    ]
    assert checks, f"{path.name} does not check its claims"
    for cell in checks:
        tags = cell.get("metadata", {}).get("tags", [])
        source = "".join(cell["source"])
        assert "raises-exception" not in tags and "NBVAL_SKIP" not in source
        # strict in both modes: a claim that fails in full mode is a wrong claim
        assert "strict=" not in source, source


ALL_NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_are_a_stamped_full_mode_run(path):
    """What a learner reads before running anything is full mode's output: `make outputs`
    stamps each notebook with its mode and a digest of its code and outputs, so a fast-mode
    run saved by accident (or code edited after the run) fails here."""
    import nbformat

    from mmcourse.outputs import stamp_problem

    notebook = nbformat.read(path, as_version=4)
    problem = stamp_problem(notebook)
    assert problem is None, f"{path.name}: {problem}; run `make outputs NOTEBOOKS={path.name}`"
    counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "run top to bottom in one kernel"
    split = [
        index
        for index, cell in enumerate(notebook.cells)
        for before, after in zip(cell.get("outputs", []), cell.get("outputs", [])[1:])
        if before.output_type == after.output_type == "stream" and before.name == after.name
    ]
    assert not split, f"{path.name}: cells {sorted(set(split))} store a stream in pieces"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_ends_with_further_reading(path):
    """The last cell names the papers the lesson's methods come from, each with what to read
    it for; no links (the course is offline)."""
    last = "".join(_cells(path)[-1]["source"])
    assert last.startswith("## Further reading"), f"{path.name} must end with Further reading"
    entries = [line for line in last.splitlines() if line.startswith("- ")]
    assert len(entries) >= 3, entries
    for entry in entries:
        assert re.search(r"\(\d{4}\)\. \*.+\*", entry), f"author (year). *Title*: {entry}"
        assert "Read it for" in entry and "http" not in entry, entry
