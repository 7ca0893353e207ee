"""The scaling appendix's resume demonstration: a training process killed, then restarted.

`demonstrate_resume(folder, epochs=..., crash_after=...)` trains lesson 07's gated fusion
(`fit_and_evaluate` on MoodPosts, inside `mmcourse.checkpoint.resumable`) three times, each in
a fresh process:

1. uninterrupted, for reference;
2. killed (`os._exit`, as a power cut or an out-of-memory kill would end it) right after the
   checkpoint of epoch `crash_after` is written;
3. started again with the same command: it finds that checkpoint and continues.

Each process writes its final weights (`.npz`) and reports its test accuracy; the result
compares run 3 with run 1. `python -m mmcourse.lessons.scaling_resume --folder F --epochs E
[--crash-after K]` is one such process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

KILLED_EXIT = 75  # the exit status of the process killed on purpose


def train_once(folder: Path, *, epochs: int, crash_after: int | None = None, seed: int = 0):
    """One process's run (see the module docstring): `{test_accuracy, epochs, resumed_from}`."""
    import dataclasses

    from mmcourse import checkpoint, experiment, runtime
    from mmcourse.fusion_data import prepare_fusion_data
    from mmcourse.models import fusion

    if crash_after is not None:
        save = checkpoint.ResumableTraining.on_epoch_end

        def save_then_die(self, epoch, logs=None):
            save(self, epoch, logs)
            if epoch + 1 == crash_after:
                os._exit(KILLED_EXIT)  # no cleanup, no exception handler: a real kill

        checkpoint.ResumableTraining.on_epoch_end = save_then_die
    runtime.seed_everything(seed)
    data = prepare_fusion_data()
    settings = dataclasses.replace(
        experiment.DEFAULT_SETTINGS.full, epochs=epochs, patience=epochs, seed=seed
    )
    model = fusion.build_gated_fusion(vocabulary_size=data.vocabulary_size)
    resumed = []
    original_begin = checkpoint.ResumableTraining.on_train_begin

    def begin(self, logs=None):
        original_begin(self, logs)
        resumed.append(self.resumed_from)

    checkpoint.ResumableTraining.on_train_begin = begin
    with checkpoint.resumable(folder / "checkpoints"):
        result = experiment.fit_and_evaluate(model, data, settings)
    np.savez(folder / "weights.npz", *model.get_weights())
    return {
        "test_accuracy": result.accuracy,
        "epochs": result.details["epochs"],
        "resumed_from": resumed[0],
    }


def _process(folder: Path, *, epochs: int, crash_after: int | None, timeout: float) -> dict:
    command = [sys.executable, "-m", __name__, "--folder", str(folder), "--epochs", str(epochs)]
    if crash_after is not None:
        command += ["--crash-after", str(crash_after)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode == KILLED_EXIT:
        return {"killed": True}
    if done.returncode != 0:
        raise RuntimeError(
            f"The training process failed (exit {done.returncode}):\n" + done.stderr[-3000:]
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _checkpoint_names(folder: Path) -> list[str]:
    from mmcourse import checkpoint

    return [p.name for p in checkpoint.checkpoints(folder / "checkpoints" / "gated_fusion")]


def demonstrate_resume(folder, *, epochs: int, crash_after: int, timeout: float = 900) -> dict:
    """The three runs of the module docstring, in `folder`; returns what each did and the
    largest weight difference and accuracy difference between the resumed and the reference."""
    if not 1 <= crash_after < epochs:
        raise ValueError(
            f"crash_after must be in [1, epochs). Received: crash_after={crash_after}, "
            f"epochs={epochs}"
        )
    folder = Path(folder)
    reference_dir, crashed_dir = folder / "reference", folder / "crashed"
    for path in (reference_dir, crashed_dir):
        path.mkdir(parents=True, exist_ok=True)
    reference = _process(reference_dir, epochs=epochs, crash_after=None, timeout=timeout)
    killed = _process(crashed_dir, epochs=epochs, crash_after=crash_after, timeout=timeout)
    left = _checkpoint_names(crashed_dir)
    resumed = _process(crashed_dir, epochs=epochs, crash_after=None, timeout=timeout)
    with np.load(reference_dir / "weights.npz") as a, np.load(crashed_dir / "weights.npz") as b:
        difference = max(float(np.max(np.abs(a[k] - b[k]))) for k in a.files)
    return {
        "epochs": epochs,
        "crash_after": crash_after,
        "killed": killed.get("killed", False),
        "checkpoints_after_kill": left,
        "reference": reference,
        "resumed": resumed,
        "max_weight_difference": difference,
        "accuracy_difference": abs(reference["test_accuracy"] - resumed["test_accuracy"]),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", required=True, type=Path)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--crash-after", type=int, default=None)
    args = parser.parse_args(argv)
    result = train_once(args.folder, epochs=args.epochs, crash_after=args.crash_after)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
