"""What the website holds and in which order, staged as a Sphinx source folder.

`plan_pages()` lists the pages: every lesson notebook that exists, in the order of
`mmcourse.lessons.LESSONS` (00-09, then the appendices A, B, C), the reference pages (results,
benchmarks, the dataset card, the glossary) and the exercises' student versions.
`stage()` copies them into a folder Sphinx reads: lessons with their widgets as static
pictures (`mmcourse.site.widgets`), the exercises twice (a page each, and the untouched
notebook to download), and a home page with the README's lesson map and the navigation.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

from mmcourse.lessons import LESSONS
from mmcourse.site.widgets import replace_widgets

TITLE = "mmcourse: cross-modal sentiment analysis, a course in Keras 3"
# (file in the checkout, page name on the site) for the reference pages, in navigation order.
REFERENCE = (
    ("notebooks/RESULTS.md", "results.md"),
    ("notebooks/BENCHMARKS.md", "benchmarks.md"),
    ("notebooks/SEEDS.md", "seeds.md"),
    ("datasets/moodposts/README.md", "dataset.md"),
    ("notebooks/GLOSSARY.md", "glossary.md"),
)
EXERCISES_README = "exercises/README.md"
DOWNLOADS = "exercises/downloads"  # the untouched student notebooks; not pages themselves
# An exercise links to its lesson from where its copy sits (exercises/work/<id>/).
LESSON_LINK = re.compile(r"\]\((?:\.\./)+notebooks/([\w-]+\.ipynb)\)")


@dataclasses.dataclass(frozen=True)
class Page:
    source: Path  # the file in the checkout
    name: str  # its path in the site's source folder (and, as .html, on the site)
    section: str  # "Lessons", "Appendices", "Reference" or "Exercises"

    @property
    def docname(self) -> str:
        return self.name.rsplit(".", 1)[0]


def plan_pages(root: Path, *, lessons: tuple[str, ...] | None = None) -> list[Page]:
    """The pages of the site, in navigation order. `lessons` keeps only those numbers ("00",
    "A"...) and their exercises (a quick build for the tests); None keeps every one."""
    root = Path(root)
    known = {entry.number for entry in LESSONS}
    if lessons is not None and not set(lessons) <= known:
        raise ValueError(
            f"`lessons` must be numbers of mmcourse.lessons.LESSONS ({sorted(known)}). "
            f"Received: lessons={lessons}"
        )
    pages = []
    for entry in LESSONS:
        source = root / "notebooks" / entry.notebook
        if source.is_file() and (lessons is None or entry.number in lessons):
            section = "Appendices" if entry.number.isalpha() else "Lessons"
            pages.append(Page(source, entry.notebook, section))
    for relative, name in REFERENCE:
        pages.append(Page(root / relative, name, "Reference"))
    for entry in LESSONS:
        number = entry.number
        source = root / "exercises" / "release" / f"ex{number}_{entry.name}"
        source = source / f"ex{number}_{entry.name}.ipynb"
        if source.is_file() and (lessons is None or number in lessons):
            pages.append(Page(source, f"exercises/{source.name}", "Exercises"))
    missing = [str(page.source) for page in pages if not page.source.is_file()]
    if missing:
        raise ValueError(f"The site's pages must exist in the checkout. Missing: {missing}")
    return pages


def _read_notebook(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} must be a notebook (JSON). Received: {error}") from error


def _write_notebook(notebook: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def _link_lessons(notebook: dict) -> dict:
    """The exercise with its lesson links pointing at the lesson's page on the site."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell["source"])
            cell["source"] = LESSON_LINK.sub(r"](../\1)", source)
    return notebook


def _section(markdown: str, heading: str) -> str:
    """The text under `## heading` up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    if match is None:
        raise ValueError(f"README.md must have a `## {heading}` section. Received: no such one")
    return match.group(1).strip()


def lesson_map(readme: str, staged: set[str]) -> str:
    """The README's lesson map, each notebook that is on the site turned into a link."""

    def link(match):
        name = match.group(1)
        return f"[`{name}`]({name})" if name in staged else match.group(0)

    return re.sub(r"`([\w-]+\.ipynb)`", link, _section(readme, "Lesson map"))


def _toctree(caption: str, docnames: list[str]) -> str:
    entries = "\n".join(docnames)
    return f"```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n\n{entries}\n```\n"


def home_page(readme: str, pages: list[Page]) -> str:
    """index.md: the README's opening, its lesson map, and the navigation in page order."""
    opening = readme.split("\n## ", 1)[0].split("\n", 1)[1].strip()
    staged = {page.name for page in pages}
    parts = [f"# {TITLE}\n", opening, "## Lesson map\n", lesson_map(readme, staged)]
    for section in ("Lessons", "Appendices", "Reference", "Exercises"):
        docnames = [page.docname for page in pages if page.section == section]
        if section == "Exercises":
            docnames.insert(0, "exercises/index")
        if docnames:
            parts.append(_toctree(section, docnames))
    return "\n\n".join(parts) + "\n"


def exercises_page(readme: str, exercises: list[Page]) -> str:
    """exercises/index.md: exercises/README.md and a download link per student notebook (the
    exercises' pages follow it in the navigation)."""
    links = "\n".join(
        f"- {{download}}`{page.source.name} <downloads/{page.source.name}>`" for page in exercises
    )
    download = (
        "## Download the student versions\n\nEach exercise as the notebook you work on "
        "(`exercises/release/` in the course), to copy into `exercises/work/<your-id>/`:\n\n"
        + links
    )
    return "\n\n".join([readme.strip(), download]) + "\n"


def stage(pages: list[Page], *, root: Path, folder: Path) -> dict[str, int]:
    """Write the site's source folder; returns {page name: widgets replaced} for notebooks."""
    root, folder = Path(root), Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    widgets = {}
    for page in pages:
        target = folder / page.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if page.section == "Exercises":
            notebook = _read_notebook(page.source)
            (folder / DOWNLOADS).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page.source, folder / DOWNLOADS / page.source.name)
            _write_notebook(_link_lessons(notebook), target)
        elif page.name.endswith(".ipynb"):
            notebook, widgets[page.name] = replace_widgets(_read_notebook(page.source))
            _write_notebook(notebook, target)
        else:
            shutil.copyfile(page.source, target)
    readme = (root / "README.md").read_text(encoding="utf-8")
    (folder / "index.md").write_text(home_page(readme, pages), encoding="utf-8")
    exercises = [page for page in pages if page.section == "Exercises"]
    exercises_readme = (root / EXERCISES_README).read_text(encoding="utf-8")
    (folder / "exercises").mkdir(exist_ok=True)
    (folder / "exercises" / "index.md").write_text(
        exercises_page(exercises_readme, exercises), encoding="utf-8"
    )
    return widgets
