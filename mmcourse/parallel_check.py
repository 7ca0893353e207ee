"""Does training on two replicas give what one device gives? A check that runs on a laptop.

`compare_replicas()` trains the same fusion model twice from the same initial weights on the
same global batches: once on one device, once data-parallel (`mmcourse.parallel`) on every
device present, and returns both losses and the largest weight difference. Data parallelism
splits each global batch between the replicas and sums their gradients, so the two runs must
agree up to floating-point rounding (the sums are done in another order). The model's dropout
is switched off for the check, since each replica would draw its own masks.

A laptop has one CPU, so the devices are simulated, and that must happen before the backend
starts: `run_child(backend=..., num_devices=2)` runs the check in a fresh process with two
logical CPU devices (`tf.config.set_logical_device_configuration` on TensorFlow,
`XLA_FLAGS=--xla_force_host_platform_device_count=2` on JAX) and returns its JSON.
`python -m mmcourse.parallel_check --num-devices 2` does the same from a shell (run it with
`KERAS_BACKEND=jax XLA_FLAGS=--xla_force_host_platform_device_count=2` for JAX); `--models
all` also trains every lesson model one step data-parallel, `--models quick` one per lesson.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np

TOLERANCE = 1e-4  # on the losses: float32 sums of the same terms in another order
XLA_FLAG = "--xla_force_host_platform_device_count"


def simulate_devices(num_devices: int) -> None:
    """Split this process's CPU into `num_devices` logical devices (before the backend starts).

    TensorFlow: logical devices, set before TensorFlow touches the CPU. JAX: the XLA flag,
    which only works when set before `jax` is imported (so `run_child` sets it in the child's
    environment). Other backends: nothing to do.
    """
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        config = [tf.config.LogicalDeviceConfiguration() for _ in range(num_devices)]
        tf.config.set_logical_device_configuration(cpu, config)


def _batches(num_steps: int, batch_size: int, seed: int):
    from mmcourse.bench.throughput import VOCABULARY_SIZE, random_batch
    from mmcourse.models import fusion

    model = fusion.build_gated_fusion(vocabulary_size=VOCABULARY_SIZE)
    inputs = random_batch(model, batch_size=num_steps * batch_size, seed=seed)
    labels = np.random.default_rng(seed).integers(0, 3, size=num_steps * batch_size)
    return inputs, labels.astype("int32")


def _train(parallel, weights, inputs, labels, *, batch_size: int, learning_rate: float):
    """One epoch of `mmcourse.train.train` in `parallel`'s scope, on the batches in order."""
    import keras
    import tensorflow as tf

    from mmcourse.bench.throughput import VOCABULARY_SIZE
    from mmcourse.models import fusion
    from mmcourse.train import train

    batches = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(batch_size)
    with parallel.scope():
        model = fusion.build_gated_fusion(vocabulary_size=VOCABULARY_SIZE)
        for layer in model.layers:
            if isinstance(layer, keras.layers.Dropout):
                layer.rate = 0.0  # each replica would draw its own masks
        model.set_weights(weights)
        model.compile(  # plain SGD: the update is the gradient itself, easiest to compare
            optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
            loss=keras.losses.SparseCategoricalCrossentropy(),
        )
        history = train(model, batches, epochs=1, verbose=0)
        evaluated = model.evaluate(batches, verbose=0)
    return model, float(history.history["loss"][-1]), float(evaluated)


def compare_replicas(
    *, num_steps: int = 4, batch_size: int = 16, learning_rate: float = 0.1, seed: int = 0
) -> dict:
    """Train gated fusion `num_steps` steps on one device and on all, from the same start.

    Returns `{backend, engine, num_replicas, batch_size, per_replica_batch_size, num_steps,
    single: {train_loss, eval_loss}, parallel: {...}, max_loss_difference,
    max_weight_difference, tolerance, agree}`; `batch_size` is the global batch.
    """
    import keras

    from mmcourse import parallel as parallel_lib
    from mmcourse.models import fusion

    parallel = parallel_lib.data_parallel()
    parallel.check_batch_size(batch_size)
    keras.utils.set_random_seed(seed)
    from mmcourse.bench.throughput import VOCABULARY_SIZE

    weights = fusion.build_gated_fusion(vocabulary_size=VOCABULARY_SIZE).get_weights()
    inputs, labels = _batches(num_steps, batch_size, seed)
    single = parallel_lib.DataParallel(
        backend=parallel.backend, engine="single device", devices=parallel.devices[:1]
    )
    runs = {}
    for name, setup in (("single", single), ("parallel", parallel)):
        model, train_loss, eval_loss = _train(
            setup, weights, inputs, labels, batch_size=batch_size, learning_rate=learning_rate
        )
        runs[name] = {
            "train_loss": train_loss,
            "eval_loss": eval_loss,
            "variable_devices": variable_devices(model),
        }
        runs[name + "_weights"] = model.get_weights()
    weight_difference = max(
        float(np.max(np.abs(a - b)))
        for a, b in zip(runs.pop("single_weights"), runs.pop("parallel_weights"))
    )
    loss_difference = max(
        abs(runs["single"][key] - runs["parallel"][key]) for key in ("train_loss", "eval_loss")
    )
    return {
        "backend": parallel.backend,
        "engine": parallel.engine,
        "num_replicas": parallel.num_replicas,
        "batch_size": batch_size,
        "per_replica_batch_size": batch_size // parallel.num_replicas,
        "num_steps": num_steps,
        **runs,
        "max_loss_difference": loss_difference,
        "max_weight_difference": weight_difference,
        "tolerance": TOLERANCE,
        "agree": loss_difference <= TOLERANCE,
    }


def variable_devices(model) -> int:
    """On how many devices the model's first weight lives (its replicas)."""
    variable = model.trainable_variables[0]
    value = getattr(variable, "value", variable)
    if hasattr(value, "sharding"):  # a jax.Array
        return len(value.sharding.device_set)
    if hasattr(value, "values"):  # a tf.distribute MirroredVariable
        return len(value.values)
    return 1


def train_every_model(*, names=None, batch_size: int = 8, seed: int = 0) -> dict:
    """Every lesson model (`mmcourse.bench.throughput.model_specs`, or those in `names`) built
    in the data-parallel scope and trained one step on a random global batch:
    `{engine, num_replicas, losses: {name: loss}}`, every loss finite."""
    import keras

    from mmcourse import parallel as parallel_lib
    from mmcourse.bench import throughput

    parallel = parallel_lib.data_parallel()
    parallel.check_batch_size(batch_size)
    losses = {}
    for spec in throughput.model_specs():
        if names is not None and spec.name not in names:
            continue
        keras.utils.set_random_seed(seed)
        with parallel.scope():
            model = spec.build(vocabulary_size=throughput.VOCABULARY_SIZE)
            batch = throughput.random_batch(model, batch_size=batch_size, seed=seed)
            targets = throughput.compile_for_bench(model, batch_size=batch_size, seed=seed)
            inputs = throughput._as_model_input(model, batch)
            history = model.fit(inputs, targets, batch_size=batch_size, epochs=1, verbose=0)
        losses[spec.name] = float(history.history["loss"][-1])
        if not np.isfinite(losses[spec.name]):
            raise ValueError(f"{spec.name} trained to a non-finite loss. Received: {losses}")
    return {"engine": parallel.engine, "num_replicas": parallel.num_replicas, "losses": losses}


def run_child(*, backend: str, num_devices: int = 2, timeout: float = 600, **options) -> dict:
    """`compare_replicas(**options)` in a fresh process with `num_devices` simulated CPUs."""
    if backend not in ("tensorflow", "jax"):
        raise ValueError(f"backend must be 'tensorflow' or 'jax'. Received: backend={backend!r}")
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if backend == "jax":
        flags = [f for f in env.get("XLA_FLAGS", "").split() if not f.startswith(XLA_FLAG)]
        env["XLA_FLAGS"] = " ".join([*flags, f"{XLA_FLAG}={num_devices}"])
        env["JAX_PLATFORMS"] = "cpu"
    command = [sys.executable, "-m", "mmcourse.parallel_check", "--num-devices", str(num_devices)]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(
            f"The replica check failed on {backend} (exit {done.returncode}):\n"
            + done.stderr[-3000:]
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-devices", type=int, default=2)
    parser.add_argument("--num-steps", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--models",
        choices=("none", "quick", "all"),
        default="none",
        help="also train lesson models one step each: one per lesson (quick) or all 26",
    )
    args = parser.parse_args(argv)
    simulate_devices(args.num_devices)
    result = compare_replicas(
        num_steps=args.num_steps,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        seed=args.seed,
    )
    if args.models != "none":
        from mmcourse.bench.throughput import QUICK_MODELS

        names = QUICK_MODELS if args.models == "quick" else None
        result["models"] = train_every_model(names=names, seed=args.seed)["losses"]
    print(json.dumps(result))
    return 0 if result["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
