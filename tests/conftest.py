"""Fixtures shared by the tests."""

import contextlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmcourse.data.core import DatasetError


@pytest.fixture
def make_image():
    """`make_image(path, color=..., size=..., corrupt=False)` writes a small image file.

    The format follows the suffix (`.png`, `.jpg`); `corrupt=True` writes random bytes instead,
    under the same name, as a truncated download would leave.
    """
    rng = np.random.default_rng(0)

    def make(path, *, color=(200, 40, 40), size=(8, 8), corrupt=False):
        path.parent.mkdir(parents=True, exist_ok=True)
        if corrupt:
            path.write_bytes(rng.bytes(64))
        else:
            Image.new("RGB", size, color).save(path)
        return path

    return make


@pytest.fixture
def raises_dataset_error():
    """`with raises_dataset_error(path, row=3, match=[...]):` expects a `DatasetError` whose
    message names the file (and row) and contains each fragment of `match`."""

    @contextlib.contextmanager
    def check(path, *, row=None, match=()):
        with pytest.raises(DatasetError) as info:
            yield info
        message = str(info.value)
        assert Path(path).name in message, message
        assert info.value.row == row
        if row is not None:
            assert f", row {row}: " in message, message
        for fragment in match:
            assert fragment in message, message

    return check


JAX_PROCESS = pytest.StashKey()  # (the JAX process, its folder), from collection to the end
JAX_RUNNER = """
import contextlib, io, json, sys, traceback
sys.path.insert(0, {root!r})
snippets = json.loads(open({snippets!r}).read())
outputs = {{}}
for name, code in snippets.items():
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, name, "exec"), {{"__name__": "__jax_snippet__"}})
        outputs[name] = {{"stdout": out.getvalue(), "error": None}}
    except BaseException:
        outputs[name] = {{"stdout": out.getvalue(), "error": traceback.format_exc()[-3000:]}}
print(json.dumps(outputs))
"""


def pytest_collection_finish(session):
    """Start the JAX process as soon as the tests are collected, so that it runs beside them.

    It runs every selected test module's `JAX_CODE` in ONE fresh Python with the JAX backend
    (the backend is fixed when Keras is first imported, so JAX needs a process of its own).
    Importing Keras and JAX and warming JAX's op cache costs most of a snippet's time: one
    process serves all modules, and it works while the other tests run (the tests that read it
    run last). Each snippet runs in its own namespace; its failure (with traceback) is reported
    to its own test only.
    """
    import json
    import os
    import subprocess
    import sys
    import tempfile

    snippets = {}
    for item in session.items:
        module = getattr(item, "module", None)  # notebook cells have none
        code = getattr(module, "JAX_CODE", None)
        if isinstance(code, str):
            snippets[module.__name__] = code
    if not snippets:
        return
    folder = Path(tempfile.mkdtemp(prefix="mmcourse-jax-"))
    (folder / "snippets.json").write_text(json.dumps(snippets))
    script = folder / "runner.py"
    root = str(Path(__file__).parent.parent)
    script.write_text(JAX_RUNNER.format(root=root, snippets=str(folder / "snippets.json")))
    env = os.environ | {"KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3"}
    # a lower priority: it works in the gaps the TensorFlow tests leave on the cores
    nice = {"preexec_fn": lambda: os.nice(10)} if os.name == "posix" else {}
    with open(folder / "stdout", "w") as stdout, open(folder / "stderr", "w") as stderr:
        process = subprocess.Popen([sys.executable, str(script)], stdout=stdout, stderr=stderr,
                                   env=env, **nice)  # fmt: skip
    session.config.stash[JAX_PROCESS] = (process, folder)


def pytest_collection_modifyitems(items):
    """The tests that read the JAX process's output run last: it has the whole run to finish."""
    items.sort(key=lambda item: "jax_output" in getattr(item, "fixturenames", ()))


def pytest_unconfigure(config):
    import shutil

    process, folder = config.stash.get(JAX_PROCESS, (None, None))
    if process is not None:
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def _jax_outputs(request):
    """`{test module: {"stdout": ..., "error": traceback or None}}` from the JAX process."""
    import json

    process, folder = request.config.stash[JAX_PROCESS]
    returncode = process.wait(timeout=1200)
    stderr = (folder / "stderr").read_text()
    assert returncode == 0, f"the JAX process failed:\n{stderr[-3000:]}"
    return json.loads((folder / "stdout").read_text().strip().splitlines()[-1])


@pytest.fixture
def jax_output(request, _jax_outputs):
    """The stdout of this test module's `JAX_CODE` run under the JAX backend (see above)."""
    name = request.module.__name__
    output = _jax_outputs[name]
    assert output["error"] is None, f"JAX_CODE of {name} failed:\n{output['error']}"
    return output["stdout"]


@pytest.fixture(scope="session")
def fusion_data():
    """MoodPosts as aligned arrays (tokens, pixels, encoder features), built once per session."""
    from mmcourse.fusion_data import prepare_fusion_data

    return prepare_fusion_data()
