"""Data-parallel training on Keras' own engines: one call, any number of devices.

```python
from mmcourse import runtime

parallel = runtime.data_parallel()          # every GPU, or every (logical) CPU device
batch_size = parallel.global_batch_size(32)  # 32 per replica
with parallel.scope():
    model = build_gated_fusion()
    result = fit_and_evaluate(model, data, settings)  # trained on all replicas
```

What `data_parallel` picks on the active backend:

- TensorFlow: `tf.distribute.MirroredStrategy` over the GPUs, or over the logical CPU devices
  when there are several (`tf.config.set_logical_device_configuration`, the course's way to
  simulate two devices on a laptop); each replica computes the gradients of its share of the
  global batch, and the gradients are summed before one update of the mirrored variables.
- JAX: `keras.distribution.DataParallel` over `jax.devices()` (GPUs, or CPU devices made with
  `XLA_FLAGS=--xla_force_host_platform_device_count=N`): variables replicated, every batch
  sharded along its first axis.
- anything else, or one device: a plain scope, one replica.

The code inside the scope is the same in every case, so code written for eight GPUs runs on
one. A global batch must divide by the number of replicas: `check_batch_size` says so
plainly instead of the shape error deep inside the backend that users otherwise meet.
"""

from __future__ import annotations

import contextlib
import dataclasses

import keras

_STRATEGIES: dict = {}  # TensorFlow: the MirroredStrategy of each device set, made once


@dataclasses.dataclass(frozen=True)
class DataParallel:
    """The result of `data_parallel()`: a scope to build and train in, and the replica count.

    `engine` is "MirroredStrategy", "keras.distribution.DataParallel" or "single device";
    `devices` the devices the replicas run on; `strategy` the `tf.distribute` strategy (TF) or
    the `keras.distribution` object (JAX), `None` for a single device.
    """

    backend: str
    engine: str
    devices: tuple[str, ...]
    strategy: object = None

    @property
    def num_replicas(self) -> int:
        return len(self.devices)

    def scope(self):
        """The context to build, compile and fit models in (a no-op for a single device)."""
        if self.strategy is None:
            return contextlib.nullcontext()
        return self.strategy.scope()

    def global_batch_size(self, per_replica_batch_size: int) -> int:
        """The batch to feed `fit`: `per_replica_batch_size` for each of the replicas."""
        if isinstance(per_replica_batch_size, bool) or not isinstance(per_replica_batch_size, int):
            raise ValueError(
                "per_replica_batch_size must be a positive integer. "
                f"Received: per_replica_batch_size={per_replica_batch_size!r}"
            )
        if per_replica_batch_size < 1:
            raise ValueError(
                "per_replica_batch_size must be a positive integer. "
                f"Received: per_replica_batch_size={per_replica_batch_size}"
            )
        return per_replica_batch_size * self.num_replicas

    def check_batch_size(self, batch_size: int, *, what: str = "batch_size") -> int:
        """`batch_size` if every replica gets the same share of it, else a `ValueError`."""
        if batch_size < 1 or batch_size % self.num_replicas:
            lower = batch_size // self.num_replicas * self.num_replicas
            nearest = [n for n in (lower, lower + self.num_replicas) if n > 0]
            raise ValueError(
                f"{what} must be a positive multiple of the number of replicas "
                f"({self.num_replicas} on {self.engine}), so that each replica gets the same "
                f"share; try {' or '.join(map(str, nearest))}, or use "
                f"`global_batch_size(per_replica_batch_size)`. Received: {what}={batch_size}"
            )
        return batch_size

    def check_split(self, num_rows: int, batch_size: int, *, split: str = "train") -> None:
        """Refuse a split whose last batch cannot be shared evenly (JAX shards every batch)."""
        self.check_batch_size(batch_size)
        remainder = num_rows % batch_size
        if self.engine.startswith("keras.distribution") and remainder % self.num_replicas:
            raise ValueError(
                f"The {split} split's last batch has {remainder} rows ({num_rows} rows in "
                f"batches of {batch_size}), which {self.num_replicas} replicas cannot share "
                f"evenly on JAX: pick a batch size that divides {num_rows}, or drop the last "
                f"batch. Received: num_rows={num_rows}, batch_size={batch_size}"
            )


def data_parallel(*, devices=None) -> DataParallel:
    """One data-parallel setup for the active backend and the devices present (see above).

    `devices`: the device names to use (e.g. `["/gpu:0", "/gpu:1"]` on TensorFlow, or a list
    of `jax.Device`); default every GPU, else every CPU device when there are several.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow(devices)
    if backend == "jax":
        return _jax(devices)
    return DataParallel(backend=backend, engine="single device", devices=(_default(backend),))


def _default(backend: str) -> str:
    from mmcourse import runtime

    return "GPU:0" if runtime.gpu_available() else "CPU:0"


def _tensorflow(devices) -> DataParallel:
    import tensorflow as tf

    if devices is None:
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
    devices = tuple(devices)
    if not devices:
        raise ValueError("No device to train on. Received: devices=()")
    if len(devices) == 1:
        return DataParallel(backend="tensorflow", engine="single device", devices=devices)
    if devices not in _STRATEGIES:  # one per device set: two would share collective op keys
        _STRATEGIES[devices] = tf.distribute.MirroredStrategy(devices=list(devices))
    return DataParallel(
        backend="tensorflow",
        engine="MirroredStrategy",
        devices=devices,
        strategy=_STRATEGIES[devices],
    )


def _jax(devices) -> DataParallel:
    import jax

    if devices is None:
        gpus = [d for d in jax.devices() if d.platform == "gpu"]
        devices = gpus or jax.devices("cpu")
    devices = list(devices)
    if not devices:
        raise ValueError("No device to train on. Received: devices=[]")
    names = tuple(f"{d.platform.upper()}:{d.id}" for d in devices)
    if len(devices) == 1:
        return DataParallel(backend="jax", engine="single device", devices=names)
    distribution = keras.distribution.DataParallel(devices=devices)
    return DataParallel(
        backend="jax",
        engine="keras.distribution.DataParallel",
        devices=names,
        strategy=distribution,
    )
