"""The scaling appendix (`notebooks/appendix_scaling.ipynb`): precision, pipelines, replicas,
cost growth and what lies beyond one machine.

The appendix measures on the machine it runs on; what it needs beyond `mmcourse.parallel`,
`mmcourse.checkpoint` and `mmcourse.bench` is here: the dtypes a precision policy gives each
layer, a table of the replica check on each backend, a straight-line fit of the cost growth
with its predictions, and the `TF_CONFIG` a multi-worker run needs. The resume demonstration
(a training process killed, then restarted) is in `scaling_resume.py`.
"""

from __future__ import annotations

import dataclasses
import json

import keras
import numpy as np
import pandas as pd

from mmcourse.settings import ByMode

# Published sizes (Niu et al. 2016), before the usual cleaning drops a few per cent.
REFERENCE_SIZES = {"MVSA-Single": 4_869, "MVSA-Multiple": 19_600, "a million posts": 1_000_000}
LAPTOP_MEMORY_GIB = 16  # what the course calls "a laptop" when it predicts memory


@dataclasses.dataclass(frozen=True)
class Settings:
    """What the appendix measures, per mode.

    - `growth_sizes`: MoodPosts variants the cost-growth fit is measured on (fresh processes);
    - `resume_epochs`, `crash_after`: the resume demonstration's epochs and the epoch after
      which its first process is killed;
    - `throughput_models`: the lesson models timed under each precision policy.

    The input-pipeline comparison reads all 4,800 train images in both modes: on a few
    hundred, the pipelines' start-up costs decide, not their throughput.
    """

    growth_sizes: tuple[int, ...]
    resume_epochs: int
    crash_after: int
    throughput_models: tuple[str, ...] = ("gated_fusion", "cross_modal_attention")


SETTINGS = ByMode(
    fast=Settings(growth_sizes=(100, 300), resume_epochs=2, crash_after=1),
    full=Settings(growth_sizes=(1_000, 6_000), resume_epochs=6, crash_after=3),
)


def policy_dtypes(policy: str) -> pd.DataFrame:
    """Lesson 07's gated fusion built under `policy`: each layer's compute and variable dtype.

    The global policy is put back to what it was afterwards. Layers without weights show
    their compute dtype only.
    """
    from mmcourse.models import fusion

    before = keras.config.dtype_policy()
    try:
        keras.config.set_dtype_policy(policy)
        model = fusion.build_gated_fusion(vocabulary_size=89)
    finally:
        keras.config.set_dtype_policy(before)
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        rows.append(
            {
                "layer": layer.name,
                "compute dtype": layer.compute_dtype,
                "variable dtype": layer.variable_dtype if layer.weights else "",
            }
        )
    return pd.DataFrame(rows).set_index("layer")


def precision_throughput(names, policies=("float32", "mixed_bfloat16"), *, quick=False):
    """`mmcourse.bench`'s throughput rows of the models `names` under each policy, with the
    samples/s ratio to float32: a table, one row per (model, policy)."""
    from mmcourse.bench import throughput

    specs = {spec.name: spec for spec in throughput.model_specs()}
    unknown = [name for name in names if name not in specs]
    if unknown:
        raise ValueError(f"Unknown model names. Received: {unknown}; known: {sorted(specs)}")
    rows = []
    for name in names:
        base = None
        for policy in policies:
            row = throughput.measure_model(specs[name], policy=policy, quick=quick)
            base = row["samples_per_second"] if policy == "float32" else base
            ratio = row["samples_per_second"] / base if base else float("nan")
            rows.append({**row, "x float32": ratio})
    frame = pd.DataFrame(rows)
    keep = ["model", "policy", "samples_per_second", "ms_per_step", "x float32"]
    keep += [c for c in ("outputs_float32", "loss") if c in frame]
    return frame[keep]


def replica_table(results: dict) -> pd.DataFrame:
    """The replica checks of `mmcourse.parallel_check.run_child` per backend, side by side."""
    rows = {}
    for backend, result in results.items():
        rows[backend] = {
            "engine": result["engine"],
            "replicas": result["num_replicas"],
            "global batch": result["batch_size"],
            "per replica": result["per_replica_batch_size"],
            "steps": result["num_steps"],
            "loss, 1 device": result["single"]["eval_loss"],
            "loss, 2 replicas": result["parallel"]["eval_loss"],
            "largest loss difference": f"{result['max_loss_difference']:.1e}",
            "largest weight difference": f"{result['max_weight_difference']:.1e}",
        }
    return pd.DataFrame(rows)


def growth_fit(rows) -> dict:
    """Straight lines through `mmcourse.bench` growth rows: seconds per epoch and array bytes
    against the number of posts. Returns `{seconds_per_post, seconds_intercept,
    bytes_per_post, bytes_per_post_spread}`; the spread is how far apart the sizes' own bytes
    per post are (largest / smallest - 1: 0 when memory is exactly linear)."""
    rows = [row for row in rows if "error" not in row]
    if len(rows) < 2:
        raise ValueError(f"Need at least two measured sizes. Received: {len(rows)} rows")
    posts = np.array([row["size"] for row in rows], dtype=float)
    seconds = np.array([row["seconds_per_epoch"] for row in rows], dtype=float)
    memory = np.array([row["array_bytes"] for row in rows], dtype=float)
    slope, intercept = np.polyfit(posts, seconds, 1)
    per_post = memory / posts
    return {
        "seconds_per_post": float(slope),
        "seconds_intercept": float(intercept),
        "bytes_per_post": float(np.polyfit(posts, memory, 1)[0]),
        "bytes_per_post_spread": float(per_post.max() / per_post.min() - 1.0),
    }


def growth_predictions(fit: dict, sizes=None) -> pd.DataFrame:
    """What `fit` predicts per epoch and for the arrays in memory, for `REFERENCE_SIZES`."""
    sizes = REFERENCE_SIZES if sizes is None else sizes
    rows = {}
    for name, num_posts in sizes.items():
        gib = fit["bytes_per_post"] * num_posts / 2**30
        rows[name] = {
            "posts": num_posts,
            "s/epoch": max(0.0, fit["seconds_per_post"] * num_posts + fit["seconds_intercept"]),
            "arrays GiB": gib,
            f"fits in {LAPTOP_MEMORY_GIB} GiB": gib < LAPTOP_MEMORY_GIB,
        }
    return pd.DataFrame(rows).T


def tf_config(hosts, index: int) -> str:
    """The `TF_CONFIG` environment variable of worker `index` in a multi-worker run.

    `MultiWorkerMirroredStrategy` reads it on every machine: the same list of `host:port`
    workers everywhere, and each machine's own index (worker 0 is the chief, which also
    writes checkpoints).
    """
    hosts = list(hosts)
    if not hosts or not all(isinstance(h, str) and ":" in h for h in hosts):
        raise ValueError(f"hosts must be 'host:port' strings. Received: hosts={hosts!r}")
    if not 0 <= index < len(hosts):
        raise ValueError(f"index must be in [0, {len(hosts)}). Received: index={index}")
    return json.dumps({"cluster": {"worker": hosts}, "task": {"type": "worker", "index": index}})


def appendix_claims(*, dtypes, replicas, pipeline, growth, resume) -> list:
    """The sentences the appendix teaches, each checked against what it measured.

    `dtypes`: `policy_dtypes("mixed_bfloat16")`; `replicas`: `{backend: run_child result}`;
    `pipeline`: `mmcourse.bench.pipeline.measure_pipelines` result; `growth`: `growth_fit`;
    `resume`: `scaling_resume.demonstrate_resume` result.

    No claim is about speed: how fast a pipeline or an epoch runs depends on the machine and
    on what else it runs (speed is measured, by `mmcourse bench`, and printed, not asserted).
    """
    from mmcourse import claims, parallel_check

    dense = dtypes[dtypes["variable dtype"] != ""]
    out = [
        claims.holds(
            "mixed_bfloat16: every layer with weights computes in bfloat16 and keeps its "
            "variables in float32, except the softmax head",
            set(dense.drop(index="fusion_output")["compute dtype"]) == {"bfloat16"}
            and set(dense["variable dtype"]) == {"float32"},
            measured=f"{len(dense)} layers",
        ),
        claims.holds(
            "mixed_bfloat16: the softmax head computes in float32",
            dtypes.loc["fusion_output", "compute dtype"] == "float32",
            measured=dtypes.loc["fusion_output", "compute dtype"],
        ),
    ]
    for backend, result in replicas.items():
        out += [
            claims.holds(
                f"{backend}: two replicas, each holding a copy of every weight",
                result["num_replicas"] == 2 and result["parallel"]["variable_devices"] == 2,
                measured=result["engine"],
            ),
            claims.at_most(
                f"{backend}: two replicas reach the loss of one device on the same batches "
                "(difference, in millionths)",
                1e6 * result["max_loss_difference"],
                1e6 * parallel_check.TOLERANCE,
            ),
        ]
    out += [
        claims.holds(
            "both pipelines read every one of the same train images",
            len({row["images"] for row in pipeline["rows"]}) == 1
            and pipeline["rows"][0]["images"] == pipeline["images"],
            measured=pipeline["images"],
        ),
        claims.at_most(
            "the arrays take the same bytes per post at every size (spread, %)",
            100 * growth["bytes_per_post_spread"],
            1.0,
        ),
        claims.above(
            f"a million posts' arrays do not fit in a {LAPTOP_MEMORY_GIB} GiB laptop (GiB)",
            growth["bytes_per_post"] * 1e6 / 2**30,
            LAPTOP_MEMORY_GIB,
        ),
        claims.holds(
            "the killed run left its last complete checkpoint",
            resume["killed"]
            and resume["checkpoints_after_kill"][-1] == f"epoch-{resume['crash_after']:04d}",
            measured=", ".join(resume["checkpoints_after_kill"]),
        ),
        claims.holds(
            "the restarted run continued after the last complete epoch",
            resume["resumed"]["resumed_from"] == resume["crash_after"],
            measured=resume["resumed"]["resumed_from"],
        ),
        claims.at_most(
            "the resumed run ends with the uninterrupted run's weights (difference, millionths)",
            1e6 * resume["max_weight_difference"],
            10.0,
        ),
        claims.at_most("... and its test accuracy", resume["accuracy_difference"], 0.0),
    ]
    return out
