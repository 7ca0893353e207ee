"""What a lesson notebook builds, and what it shows: the analysis behind test_lesson_code.py.

"Taught" objects are the package's model-making code: `build_*`/`add_*`/`compile_*` functions
of `mmcourse.models` and `mmcourse.text`, and every `keras.layers.Layer` or `keras.losses.Loss`
subclass defined in `mmcourse`. A lesson uses them

- **directly**: its code cells name them (`fusion.build_concat_fusion(...)`);
- **through its lesson module**: a function of `mmcourse.lessons.<lesson>` (or of a part module
  beside it) names them, e.g. `cnn_fusion.train_models` loops over `fusion.BUILDERS`;
- **through a builder**: a taught builder's own source, or a private helper of its module that
  it calls, names another (a layer, a loss).

Shown objects are the arguments of the notebook's `show(...)` calls; showing a method
(`GatedFusion.call`) shows its class.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path

import keras

TAUGHT_PREFIXES = ("build_", "add_", "compile_")
TAUGHT_MODULES = ("mmcourse.models", "mmcourse.text")


def code_cells(path: Path) -> list[str]:
    cells = json.loads(Path(path).read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def is_taught(obj) -> bool:
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("mmcourse."):
        return False
    if inspect.isclass(obj):
        return issubclass(obj, (keras.layers.Layer, keras.losses.Loss))
    if inspect.isfunction(obj):
        return module.startswith(TAUGHT_MODULES) and obj.__name__.startswith(TAUGHT_PREFIXES)
    return False


def _expand(obj):
    """A dict or tuple of builders (`fusion.BUILDERS`) stands for each of its values."""
    if isinstance(obj, dict):
        return list(obj.values())
    if isinstance(obj, (tuple, list)):
        return list(obj)
    return [obj]


def _dotted(node) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def resolve(node, namespace: dict):
    """The object a name or attribute chain refers to in `namespace`, or None."""
    parts = _dotted(node)
    if not parts or parts[0] not in namespace:
        return None
    obj = namespace[parts[0]]
    for part in parts[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def referenced(source: str, namespace: dict) -> list:
    """Every object a name or attribute chain in `source` refers to (outermost chains)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Name, ast.Attribute)):
            obj = resolve(node, namespace)
            if obj is not None:
                found.extend(_expand(obj))
    return found


def import_namespace(sources: list[str]) -> dict:
    """Run only the import statements of a notebook's cells, as the notebook would."""
    namespace: dict = {}
    for source in sources:
        for node in ast.parse(source).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                exec(compile(ast.Module([node], []), "<imports>", "exec"), namespace)
    return namespace


def is_show_call(node) -> bool:
    """`show(...)` or `mmcourse.show(...)`, not `plt.show()` or `axis.imshow(...)`."""
    return isinstance(node, ast.Call) and _dotted(node.func) in (["show"], ["mmcourse", "show"])


def calls_show(source: str) -> bool:
    return any(is_show_call(node) for node in ast.walk(ast.parse(source)))


def _show_arguments(sources: list[str]):
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if is_show_call(node):
                yield from node.args


def _owner(obj):
    """A method's class (`GatedFusion.call` -> `GatedFusion`); anything else itself."""
    obj = inspect.unwrap(obj.fget if isinstance(obj, property) else obj)
    qualname = getattr(obj, "__qualname__", "")
    if inspect.isfunction(obj) and "." in qualname and "<locals>" not in qualname:
        owner = importlib.import_module(obj.__module__)
        for part in qualname.split(".")[:-1]:
            owner = getattr(owner, part)
        return owner
    return obj


def shown(path: Path) -> set:
    """The objects whose code the notebook renders with `show(...)` (methods as their class)."""
    sources = code_cells(path)
    namespace = import_namespace(sources)
    objects = set()
    for argument in _show_arguments(sources):
        obj = resolve(argument, namespace)
        if obj is None:
            raise ValueError(f"{path.name}: cannot resolve show({ast.unparse(argument)})")
        objects.add(_owner(obj))
    return objects


def _lesson_modules(namespace: dict) -> list:
    modules = [m for m in namespace.values() if inspect.ismodule(m)]
    lessons = [m for m in modules if m.__name__.startswith("mmcourse.lessons.")]
    return sorted(set(lessons), key=lambda m: m.__name__)


def _taught_in(source: str, namespace: dict) -> set:
    return {obj for obj in referenced(source, namespace) if is_taught(obj)}


def _is_private_helper(obj) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return (
        inspect.isfunction(obj)
        and obj.__name__.startswith("_")
        and module.startswith(TAUGHT_MODULES)
    )


def _close_over_builders(objects: set) -> set:
    """Add what each taught builder's source names (its layers, losses, other builders),
    following the private helpers it calls (`_inputs`, `_word_attention`) on the way."""
    todo, closed, seen = list(objects), set(objects), set()
    while todo:
        obj = todo.pop()
        if not inspect.isfunction(obj) or obj in seen:
            continue
        seen.add(obj)
        module = importlib.import_module(obj.__module__)
        for found in referenced(inspect.getsource(obj), vars(module)):
            if _is_private_helper(found):
                todo.append(found)
            elif is_taught(found) and found not in closed:
                closed.add(found)
                todo.append(found)
    return closed


def taught(path: Path) -> tuple[set, set]:
    """(direct, indirect): what the notebook's cells name, and what it builds through them."""
    sources = code_cells(path)
    namespace = import_namespace(sources)
    direct = set().union(*(_taught_in(source, namespace) for source in sources))
    indirect = set()
    for module in _lesson_modules(namespace):
        indirect |= _taught_in(inspect.getsource(module), vars(module))
    everything = _close_over_builders(direct | indirect)
    return direct, everything - direct


def name_of(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"
