"""Show the package's own code in a notebook: `show(obj)` renders a builder, a layer, a loss.

The lessons never paste a model's code: they render it from the package, so what a learner
reads is what runs, and it cannot go stale. `show(build_gated_fusion, GatedFusion)` displays
each object's source, syntax-highlighted, under a caption naming its file and lines
relative to the package (`mmcourse/models/fusion.py, lines 120-131`), never a machine's
path. Methods work too: `show(CrossModalAttention.call)`.

In a plain terminal the same object prints as text. Importing this module does not import
Keras or TensorFlow.
"""

from __future__ import annotations

import html
import inspect
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

CODE_STYLE = "default"  # a pygments style with a light background, readable in print too
_BOX = (
    "margin:0.4em 0;border:1px solid #ddd;border-radius:4px;"
    "background:#f8f8f8;overflow-x:auto;font-size:0.9em"
)
_CAPTION = "padding:2px 8px;border-bottom:1px solid #ddd;color:#555;font-family:monospace"


@dataclass(frozen=True)
class SourceBlock:
    """One object's code: where it is defined (module, qualified name, file, first line)."""

    module: str  # mmcourse.models.fusion
    qualname: str  # build_gated_fusion, or GatedFusion.call
    file: str  # mmcourse/models/fusion.py: relative to the package's parent folder
    first_line: int
    code: str

    @property
    def name(self) -> str:
        return f"{self.module}.{self.qualname}"

    @property
    def last_line(self) -> int:
        return self.first_line + self.code.count("\n")

    @property
    def caption(self) -> str:
        return f"{self.qualname}  ({self.file}, lines {self.first_line}-{self.last_line})"


def _unwrap(obj):
    """The function or class behind a method, property, staticmethod or decorated function."""
    if isinstance(obj, property):
        obj = obj.fget
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    if inspect.ismethod(obj):
        obj = obj.__func__
    return inspect.unwrap(obj)


def _relative_file(obj) -> str:
    """`mmcourse/models/fusion.py` for an object of `mmcourse.models.fusion`: no machine path."""
    file = Path(inspect.getsourcefile(obj)).resolve()
    top = sys.modules[obj.__module__.split(".")[0]]
    package_dir = Path(top.__file__).resolve().parent
    root = package_dir.parent if package_dir.name == top.__name__ else package_dir
    try:
        return file.relative_to(root).as_posix()
    except ValueError:  # a module outside its package's folder: its name is enough
        return file.name


def source_block(obj) -> SourceBlock:
    """The source of a function, class or method, as a `SourceBlock`.

    Raises `TypeError` for objects that have no Python source (a number, a built-in, an
    instance): pass the class or the function instead.
    """
    target = _unwrap(obj)
    if not (inspect.isfunction(target) or inspect.isclass(target)):
        raise TypeError(
            "show() renders functions, classes and methods; pass the class or function, "
            f"not an instance. Received: obj={obj!r} of type {type(obj).__name__}"
        )
    try:
        lines, first_line = inspect.getsourcelines(target)
    except (OSError, TypeError) as error:
        raise TypeError(f"No Python source for {obj!r}: {error}") from error
    code = textwrap.dedent("".join(lines)).rstrip("\n")
    file = _relative_file(target)
    return SourceBlock(target.__module__, target.__qualname__, file, first_line, code)


def _highlighted(code: str) -> str:
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:  # pragma: no cover - pygments comes with IPython
        return f"<pre>{html.escape(code)}</pre>"
    formatter = HtmlFormatter(noclasses=True, style=CODE_STYLE, nobackground=True)
    return highlight(code, PythonLexer(), formatter)


class Source:
    """What `show()` returns: HTML in a notebook, plain text elsewhere."""

    def __init__(self, blocks: list[SourceBlock]):
        self.blocks = list(blocks)

    @property
    def names(self) -> list[str]:
        return [block.name for block in self.blocks]

    def _repr_html_(self) -> str:
        parts = [
            f'<div style="{_BOX}"><div style="{_CAPTION}">{html.escape(block.caption)}</div>'
            f'<div style="padding:0 8px">{_highlighted(block.code)}</div></div>'
            for block in self.blocks
        ]
        return "\n".join(parts)

    def __str__(self) -> str:
        return "\n\n".join(f"# {block.caption}\n{block.code}" for block in self.blocks)

    def __repr__(self) -> str:
        return str(self)


def show(*objects) -> Source:
    """Render the package's source of each object (builder, layer class, loss, method).

    >>> from mmcourse.models import fusion_layers
    >>> show(fusion_layers.GatedFusion)                     # doctest: +SKIP
    """
    if not objects:
        raise TypeError("show() needs at least one function, class or method. Received: none")
    return Source([source_block(obj) for obj in objects])
