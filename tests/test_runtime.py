import io
import random

import keras
import numpy as np
import pytest

from mmcourse import runtime


@pytest.fixture
def restore_policy():
    policy = keras.mixed_precision.global_policy().name
    yield
    keras.mixed_precision.set_global_policy(policy)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " 1 "])
def test_fast_mode_on(monkeypatch, value):
    monkeypatch.setenv(runtime.FAST_ENV, value)
    assert runtime.is_fast_mode() is True
    assert runtime.fast_or_full(1, 10) == 1


@pytest.mark.parametrize("value", [None, "", "0", "false", "False", "off"])
def test_fast_mode_off(monkeypatch, value):
    if value is None:
        monkeypatch.delenv(runtime.FAST_ENV, raising=False)
    else:
        monkeypatch.setenv(runtime.FAST_ENV, value)
    assert runtime.is_fast_mode() is False
    assert runtime.fast_or_full(1, 10) == 10


def test_fast_mode_rejects_a_typo(monkeypatch):
    monkeypatch.setenv(runtime.FAST_ENV, "ture")
    with pytest.raises(ValueError, match=r"MMCOURSE_FAST='ture'"):
        runtime.is_fast_mode()


def test_seed_everything_repeats_python_numpy_and_backend_draws():
    def draws():
        return (
            random.random(),
            np.random.rand(),
            float(keras.ops.convert_to_numpy(keras.random.uniform((), seed=None))),
        )

    assert runtime.seed_everything(7) == 7
    first = draws()
    runtime.seed_everything(7)
    assert draws() == first
    runtime.seed_everything(8)
    assert draws()[1] != first[1]


def test_seed_everything_determinism_is_opt_in(monkeypatch):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("checks the TensorFlow switch")
    import tensorflow as tf

    calls = []
    monkeypatch.setattr(
        tf.config.experimental, "enable_op_determinism", lambda: calls.append(True)
    )
    runtime.seed_everything(1)
    assert calls == []
    runtime.seed_everything(1, deterministic=True)
    assert calls == [True]


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", True])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="Received: seed="):
        runtime.seed_everything(seed)


def test_device_report_describes_backend_versions_and_devices(monkeypatch):
    monkeypatch.setenv(runtime.FAST_ENV, "1")
    report = runtime.device_report()
    assert report["backend"] == keras.backend.backend()
    assert report["versions"]["keras"] == keras.__version__
    assert report["versions"]["numpy"] == np.__version__
    assert set(report["versions"]) >= {"python", "keras", "numpy", "mmcourse"}
    assert any(name.startswith("CPU") for name in report["devices"])
    assert report["gpu_available"] == any(name.startswith("GPU") for name in report["devices"])
    assert report["precision_policy"] == keras.mixed_precision.global_policy().name
    assert report["fast_mode"] is True
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        assert report["versions"]["tensorflow"] == tf.__version__
        assert len(report["devices"]) == len(tf.config.list_physical_devices())


def test_print_device_report_aligns_a_table():
    report = {
        "backend": "tensorflow",
        "versions": {"python": "3.11.7", "keras": "3.15.1"},
        "devices": ["CPU:0", "GPU:0 (NVIDIA H100)"],
        "gpu_available": True,
        "precision_policy": "mixed_float16",
        "fast_mode": False,
    }
    out = io.StringIO()
    runtime.print_device_report(report, file=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "backend           tensorflow"
    assert "devices           CPU:0, GPU:0 (NVIDIA H100)" in lines
    assert "fast_mode         off (MMCOURSE_FAST)" in lines
    assert len({line.index(line.split()[1]) for line in lines}) == 1


def test_print_device_report_runs_on_this_machine(capsys):
    runtime.print_device_report()
    text = capsys.readouterr().out
    assert "backend" in text and "keras" in text and "CPU:0" in text


@pytest.mark.parametrize("policy", ["float32", "mixed_float16", "mixed_bfloat16"])
def test_set_precision_sets_the_global_policy(restore_policy, policy):
    assert runtime.set_precision(policy) == policy
    assert keras.mixed_precision.global_policy().name == policy
    assert keras.layers.Dense(2).dtype_policy.name == policy


@pytest.mark.parametrize("gpu", [True, False])
def test_set_precision_auto_follows_the_gpu(restore_policy, monkeypatch, gpu):
    monkeypatch.setattr(runtime, "gpu_available", lambda: gpu)
    expected = "mixed_float16" if gpu else "float32"
    assert runtime.set_precision() == expected
    assert keras.mixed_precision.global_policy().name == expected


def test_set_precision_auto_on_this_machine(restore_policy):
    expected = "mixed_float16" if runtime.device_report()["gpu_available"] else "float32"
    assert runtime.set_precision("auto") == expected


def test_set_precision_rejects_unknown_policies(restore_policy):
    with pytest.raises(ValueError, match=r"Received: policy='float16'"):
        runtime.set_precision("float16")
