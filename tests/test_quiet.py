"""`mmcourse.quiet`: TensorFlow's start-up lines are dropped from stderr, nothing else is."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

from mmcourse import quiet

# as TensorFlow 2.21 prints them while `import tensorflow` runs, with oneDNN on
ABSL_LINE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
)
ONEDNN_LINE = (
    "I0000 00:00:1796316061.782765   26314 port.cc:153] oneDNN custom operations are on. "
    "You may see slightly different numerical results due to floating-point round-off errors "
    "from different computation orders. To turn them off, set the environment variable "
    "`TF_ENABLE_ONEDNN_OPTS=0`.\n"
)
OTHER_LINE = "E0000 00:00:1796316061.9   26314 cuda_executor.cc:1] could not open libcuda.so\n"


def test_the_start_up_lines_are_recognised_and_nothing_else():
    assert quiet.is_start_up_line(ABSL_LINE)
    assert quiet.is_start_up_line(ONEDNN_LINE)
    for line in (OTHER_LINE, "oneDNN custom operations are on.\n", "Traceback (most recent"):
        assert not quiet.is_start_up_line(line), line


def test_other_lines_are_kept_in_order():
    text = ABSL_LINE + ONEDNN_LINE + OTHER_LINE + ABSL_LINE + ONEDNN_LINE + "last, no newline"
    assert quiet.without_start_up_lines(text) == OTHER_LINE + "last, no newline"


def _run(code: str, *, path=None, environment=None) -> subprocess.CompletedProcess:
    """`code` in a fresh Python; `environment` sets variables (None removes one), `path` goes
    first on PYTHONPATH. `TF_CPP_MIN_LOG_LEVEL` starts unset."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    for name, value in (environment or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(path), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _fake_tensorflow(folder, body: str):
    """A package `tensorflow` in `folder` that writes to file descriptor 2 as the C++ does."""
    (folder / "tensorflow").mkdir()
    (folder / "tensorflow" / "__init__.py").write_text(textwrap.dedent(body))
    return folder


def test_the_filter_drops_the_start_up_lines_and_passes_the_rest_to_stderr(tmp_path):
    fake = _fake_tensorflow(
        tmp_path,
        f"""
        import os
        for line in ({ABSL_LINE!r}, {ONEDNN_LINE!r}, {OTHER_LINE!r}, {ONEDNN_LINE!r}):
            os.write(2, line.encode())
        print("imported")
        """,
    )
    done = _run(
        """
        import os, sys
        from mmcourse import quiet
        quiet.import_tensorflow()
        print("level", os.environ["TF_CPP_MIN_LOG_LEVEL"])
        os.write(2, b"fd 2 is back\\n")
        """,
        path=fake,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["imported", "level 3"]
    assert done.stderr == OTHER_LINE + "fd 2 is back\n"


def test_a_failed_import_still_raises_and_shows_what_tensorflow_printed(tmp_path):
    fake = _fake_tensorflow(
        tmp_path,
        f"""
        import os
        os.write(2, {ABSL_LINE!r}.encode() + {OTHER_LINE!r}.encode())
        raise ImportError("libtensorflow_framework.so.2: cannot open shared object file")
        """,
    )
    done = _run("from mmcourse import quiet; quiet.import_tensorflow()", path=fake)
    assert done.returncode == 1
    assert done.stderr.startswith(OTHER_LINE), done.stderr
    assert "ImportError: libtensorflow_framework.so.2" in done.stderr
    assert ABSL_LINE not in done.stderr


def test_a_tensorflow_imported_already_is_left_alone(tmp_path):
    fake = _fake_tensorflow(tmp_path, 'raise RuntimeError("imported a second time")\n')
    done = _run(
        """
        import sys, types
        sys.modules["tensorflow"] = types.ModuleType("tensorflow")
        from mmcourse import quiet
        print(quiet.import_tensorflow())
        """,
        path=fake,
        environment={"TF_CPP_MIN_LOG_LEVEL": "1"},
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "None\n", "")


@pytest.mark.parametrize(
    ("onednn", "environment", "seen"),
    [(True, "0", "1"), (False, "1", "0"), (None, "1", "1"), (None, None, None)],
)
def test_onednn_is_set_for_the_import_as_asked(tmp_path, onednn, environment, seen):
    fake = _fake_tensorflow(
        tmp_path, 'import os\nprint(os.environ.get("TF_ENABLE_ONEDNN_OPTS"))\n'
    )
    done = _run(
        f"from mmcourse import quiet; quiet.import_tensorflow(onednn={onednn})",
        path=fake,
        environment={"TF_ENABLE_ONEDNN_OPTS": environment},
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{seen}\n", "")


def test_asking_for_onednn_after_tensorflow_loaded_the_other_way_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", sys.modules.get("tensorflow", os))
    monkeypatch.setattr(quiet, "onednn_enabled", lambda: False)
    with pytest.raises(ValueError, match="restart the kernel.*Received: onednn=True"):
        quiet.import_tensorflow(onednn=True)
    quiet.import_tensorflow(onednn=False)  # as it is: nothing to do
    quiet.import_tensorflow()  # no wish: nothing to check


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="needs TensorFlow")
def test_real_tensorflow_imports_silently_with_onednn_on():
    environment = {"TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    plain = _run("import tensorflow", environment=environment)
    assert plain.returncode == 0, plain.stderr
    printed = plain.stderr.splitlines(True)
    # what the filter is for: the lines TensorFlow prints are start-up lines, and only those
    assert printed and all(quiet.is_start_up_line(line) for line in printed), plain.stderr
    filtered = _run(
        """
        from mmcourse import quiet
        quiet.import_tensorflow(onednn=True)  # over make's TF_ENABLE_ONEDNN_OPTS=0
        print(quiet.onednn_enabled())
        """,
        environment={"TF_ENABLE_ONEDNN_OPTS": "0"},
    )
    assert (filtered.returncode, filtered.stdout, filtered.stderr) == (0, "True\n", "")


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="needs TensorFlow")
@pytest.mark.parametrize(
    "call", ["cli.main(['doctor'])", "results.main(['--lessons'])"], ids=["mmcourse", "results"]
)
def test_the_commands_import_tensorflow_silently_when_run_outside_make(call):
    # straight from a terminal: neither of make's variables is set
    done = _run(
        f"""
        import os, sys
        from mmcourse import cli, quiet, results
        {call}
        print("tensorflow" in sys.modules, os.environ["TF_ENABLE_ONEDNN_OPTS"])
        """,
        environment={"TF_ENABLE_ONEDNN_OPTS": None},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "True 0"
    assert done.stderr == ""


def test_quiet_process_keeps_what_the_environment_sets(monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    quiet.quiet_process()
    assert (os.environ["TF_ENABLE_ONEDNN_OPTS"], os.environ["TF_CPP_MIN_LOG_LEVEL"]) == ("1", "1")
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL")
    quiet.quiet_process()
    assert (os.environ["TF_ENABLE_ONEDNN_OPTS"], os.environ["TF_CPP_MIN_LOG_LEVEL"]) == ("0", "3")
