"""Runtime helpers shared by the lessons: fast mode, seeding, devices, precision.

Every notebook starts with the same few lines:

```python
from mmcourse import runtime

runtime.seed_everything(42)
runtime.print_device_report()
EPOCHS = runtime.fast_or_full(1, 10)
```

Nothing here assumes a CPU or a GPU: the same calls work on a laptop and on
a CUDA machine. TensorFlow is imported lazily, inside the functions that need
it, so that `import mmcourse.runtime` stays cheap on the JAX and PyTorch
backends too.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys

import keras
import numpy as np

import mmcourse

FAST_ENV = "MMCOURSE_FAST"
PRECISION_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16", "auto")

_TRUE_VALUES = ("1", "true", "yes", "on")
_FALSE_VALUES = ("", "0", "false", "no", "off")


def is_fast_mode() -> bool:
    """Return whether the course runs in fast mode.

    Fast mode (`MMCOURSE_FAST=1`) trains on a small subset for a few steps
    so that every notebook runs in seconds; it is what `make test` and CI
    use. The variable is read on every call, never cached.

    Returns:
        `True` for "1", "true", "yes" or "on" (any case), `False` when
        the variable is unset, empty, "0", "false", "no" or "off".

    Raises:
        ValueError: for any other value, so that a typo such as
            `MMCOURSE_FAST=ture` does not silently start a full run.
    """
    value = os.environ.get(FAST_ENV)
    if value is None:
        return False
    normalized = value.strip().lower()
    if normalized in _TRUE_VALUES:
        return True
    if normalized in _FALSE_VALUES:
        return False
    raise ValueError(
        f"The environment variable {FAST_ENV} must be unset, empty, "
        f"{'/'.join(_TRUE_VALUES)} or {'/'.join(_FALSE_VALUES[1:])}. "
        f"Received: {FAST_ENV}={value!r}"
    )


def fast_or_full(fast, full):
    """Return `fast` in fast mode and `full` otherwise.

    Example:

    >>> EPOCHS = fast_or_full(1, 10)
    """
    return fast if is_fast_mode() else full


def seed_everything(seed=0, *, deterministic=False):
    """Seed Python, NumPy and the Keras backend in one call.

    Args:
        seed: Non-negative integer below 2**32.
        deterministic: If `True`, also ask the backend for deterministic
            kernels (`tf.config.experimental.enable_op_determinism()` on
            TensorFlow, `torch.use_deterministic_algorithms(True)` on
            PyTorch). This is slower and cannot be undone in the same
            process, so it is opt-in.

    Returns:
        The seed, so that it can be logged.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"`seed` must be an integer. Received: seed={seed!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"`seed` must be in [0, 2**32). Received: seed={seed}")
    seed = int(seed)
    keras.utils.set_random_seed(seed)
    if deterministic:
        backend = keras.backend.backend()
        if backend == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.enable_op_determinism()
        elif backend == "torch":
            import torch

            torch.use_deterministic_algorithms(True)
    return seed


def _list_devices(backend):
    """Return device names such as `["CPU:0", "GPU:0 (NVIDIA H100)"]`."""
    if backend == "tensorflow":
        import tensorflow as tf

        names = []
        for kind in ("CPU", "GPU"):
            for index, device in enumerate(tf.config.list_physical_devices(kind)):
                name = f"{kind}:{index}"
                if kind == "GPU":
                    try:
                        details = tf.config.experimental.get_device_details(device)
                    except Exception:  # noqa: BLE001 - details are a nicety
                        details = {}
                    if details.get("device_name"):
                        name += f" ({details['device_name']})"
                names.append(name)
        return names
    if backend == "jax":
        import jax

        names = []
        for device in jax.devices():
            kind = device.platform.upper()
            if kind in ("CUDA", "ROCM"):
                kind = "GPU"
            names.append(f"{kind}:{device.id} ({device.device_kind})")
        return names
    if backend == "torch":
        import torch

        names = ["CPU:0"]
        if torch.cuda.is_available():
            for index in range(torch.cuda.device_count()):
                names.append(f"GPU:{index} ({torch.cuda.get_device_name(index)})")
        return names
    return ["CPU:0"]


def _versions():
    versions = {
        "python": platform.python_version(),
        "keras": keras.__version__,
        "numpy": np.__version__,
        "mmcourse": mmcourse.__version__,
    }
    try:
        tf = importlib.import_module("tensorflow")
    except ImportError:
        return versions
    versions["tensorflow"] = tf.__version__
    return versions


def gpu_available() -> bool:
    """Return whether the active Keras backend sees at least one GPU."""
    return any(name.startswith("GPU") for name in _list_devices(keras.backend.backend()))


def device_report() -> dict:
    """Describe the software and hardware the lessons run on.

    Returns:
        A dict with keys `backend`, `versions` (python, keras, numpy,
        mmcourse, and tensorflow when importable), `devices` (e.g.
        `["CPU:0", "GPU:0 (NVIDIA H100 80GB HBM3)"]`), `gpu_available`,
        `precision_policy` and `fast_mode`.
    """
    backend = keras.backend.backend()
    devices = _list_devices(backend)
    return {
        "backend": backend,
        "versions": _versions(),
        "devices": devices,
        "gpu_available": any(name.startswith("GPU") for name in devices),
        "precision_policy": keras.mixed_precision.global_policy().name,
        "fast_mode": is_fast_mode(),
    }


def print_device_report(report=None, *, file=None):
    """Print `device_report()` as a short aligned table.

    Args:
        report: A dict from `device_report()`; computed when `None`.
        file: Where to print; `sys.stdout` when `None`.
    """
    report = device_report() if report is None else report
    rows = [("backend", report["backend"])]
    rows += list(report["versions"].items())
    rows += [
        ("devices", ", ".join(report["devices"]) or "none"),
        ("gpu_available", "yes" if report["gpu_available"] else "no (CPU only)"),
        ("precision_policy", report["precision_policy"]),
        ("fast_mode", f"{'on' if report['fast_mode'] else 'off'} ({FAST_ENV})"),
    ]
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}", file=file or sys.stdout)


def set_precision(policy="auto") -> str:
    """Set Keras' global dtype policy.

    Args:
        policy: One of `"float32"`, `"mixed_float16"`, `"mixed_bfloat16"`
            or `"auto"`. `"auto"` picks `"mixed_float16"` when the backend
            sees a GPU (tensor cores make it roughly twice as fast) and
            `"float32"` otherwise (mixed precision is slower on most CPUs).

    Returns:
        The name of the policy that was set.
    """
    if policy not in PRECISION_POLICIES:
        raise ValueError(
            f"`policy` must be one of {PRECISION_POLICIES}. Received: policy={policy!r}"
        )
    if policy == "auto":
        policy = "mixed_float16" if gpu_available() else "float32"
    keras.mixed_precision.set_global_policy(policy)
    return keras.mixed_precision.global_policy().name


def data_parallel(*, devices=None):
    """Data-parallel training on every device present, on the active backend's own engine.

    Returns a `mmcourse.parallel.DataParallel`: `.scope()` to build and train models in,
    `.num_replicas`, `.global_batch_size(per_replica)` and `.check_batch_size(batch)` (a
    clear error when a batch does not divide by the replicas). MirroredStrategy on
    TensorFlow, `keras.distribution.DataParallel` on JAX, one device otherwise; see
    `mmcourse.parallel` and `notebooks/appendix_scaling.ipynb`.
    """
    from mmcourse.parallel import data_parallel as setup

    return setup(devices=devices)
