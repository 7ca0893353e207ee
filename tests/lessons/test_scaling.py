"""The scaling appendix's code: dtypes per policy, the growth fit, TF_CONFIG, the claims."""

import json

import keras
import pandas as pd
import pytest

from mmcourse.lessons import scaling, scaling_resume


def test_policy_dtypes_show_16_bit_compute_float32_variables_and_restore_the_policy():
    before = keras.config.dtype_policy().name
    dtypes = scaling.policy_dtypes("mixed_float16")
    assert keras.config.dtype_policy().name == before
    assert dtypes.loc["fusion_gate", "compute dtype"] == "float16"
    assert dtypes.loc["fusion_gate", "variable dtype"] == "float32"
    assert dtypes.loc["fusion_output", "compute dtype"] == "float32"
    assert dtypes.loc["text_pool_k3", "variable dtype"] == ""  # no weights
    plain = scaling.policy_dtypes("float32")
    assert set(plain["compute dtype"]) == {"float32"}


def _rows(sizes, seconds, memory):
    return [
        {"size": n, "seconds_per_epoch": s, "array_bytes": m}
        for n, s, m in zip(sizes, seconds, memory)
    ]


def test_growth_fit_is_a_straight_line_and_predicts_from_it():
    fit = scaling.growth_fit(_rows([1000, 3000, 5000], [1.0, 3.0, 5.0], [2e6, 6e6, 10e6]))
    assert fit["seconds_per_post"] == pytest.approx(1e-3)
    assert fit["bytes_per_post"] == pytest.approx(2000)
    assert fit["bytes_per_post_spread"] == pytest.approx(0.0)
    uneven = scaling.growth_fit(_rows([1000, 2000], [1.0, 2.0], [2e6, 5e6]))
    assert uneven["bytes_per_post_spread"] == pytest.approx(0.25)
    predictions = scaling.growth_predictions(fit, {"ten thousand": 10_000})
    assert predictions.loc["ten thousand", "s/epoch"] == pytest.approx(10.0)
    assert predictions.loc["ten thousand", "arrays GiB"] == pytest.approx(2e7 / 2**30)
    with pytest.raises(ValueError, match="Received: 1 rows"):
        scaling.growth_fit(_rows([1000], [1.0], [1.0]) + [{"size": 5, "error": "boom"}])


def test_tf_config_names_the_cluster_and_this_worker_and_refuses_bad_input():
    config = json.loads(scaling.tf_config(["a:1", "b:2"], 1))
    assert config == {
        "cluster": {"worker": ["a:1", "b:2"]},
        "task": {"type": "worker", "index": 1},
    }
    with pytest.raises(ValueError, match="Received: index=2"):
        scaling.tf_config(["a:1", "b:2"], 2)
    with pytest.raises(ValueError, match="host:port"):
        scaling.tf_config(["a"], 0)


def test_precision_throughput_refuses_an_unknown_model():
    with pytest.raises(ValueError, match="Unknown model names"):
        scaling.precision_throughput(["no_such_model"])


def _measured(**changes):
    dtypes = scaling.policy_dtypes("mixed_bfloat16")
    replica = {
        "engine": "MirroredStrategy",
        "num_replicas": 2,
        "batch_size": 16,
        "per_replica_batch_size": 8,
        "num_steps": 4,
        "single": {"eval_loss": 1.0, "variable_devices": 1},
        "parallel": {"eval_loss": 1.0, "variable_devices": 2},
        "max_loss_difference": 1e-7,
        "max_weight_difference": 1e-8,
    }
    resume = {
        "epochs": 3,
        "crash_after": 1,
        "killed": True,
        "checkpoints_after_kill": ["epoch-0001"],
        "reference": {"test_accuracy": 0.9, "resumed_from": 0},
        "resumed": {"test_accuracy": 0.9, "resumed_from": 1},
        "max_weight_difference": 0.0,
        "accuracy_difference": 0.0,
    }
    measured = {
        "dtypes": dtypes,
        "replicas": {"tensorflow": replica},
        "pipeline": {"ratio": 2.0, "images": 4800, "rows": [{"images": 4800}] * 3},
        "growth": {
            "seconds_per_post": 1e-4,
            "bytes_per_post": 29_000.0,
            "bytes_per_post_spread": 0.0,
        },
        "resume": resume,
    }
    for key, value in changes.items():
        measured[key] = value
    return measured


def _failed(**changes):
    return [c.text for c in scaling.appendix_claims(**_measured(**changes)) if not c.held]


def test_every_appendix_claim_holds_on_good_numbers_and_fails_on_bad_ones():
    assert _failed() == []
    good = _measured()
    bad_replica = dict(good["replicas"]["tensorflow"], max_loss_difference=1e-2)
    (failed,) = _failed(replicas={"tensorflow": bad_replica})
    assert failed.startswith("tensorflow: two replicas reach the loss of one device")
    one_device = dict(good["replicas"]["tensorflow"], num_replicas=1)
    assert len(_failed(replicas={"tensorflow": one_device})) == 1
    assert _failed(pipeline={"ratio": 0.5, "images": 4800, "rows": [{"images": 4800}] * 3}) == []
    uneven = {"ratio": 2.0, "images": 4800, "rows": [{"images": 4800}, {"images": 4000}]}
    assert len(_failed(pipeline=uneven)) == 1
    small = dict(good["growth"], bytes_per_post=1000.0)
    assert len(_failed(growth=small)) == 1
    assert len(_failed(growth=dict(good["growth"], bytes_per_post_spread=0.05))) == 1
    drifted = dict(good["resume"], max_weight_difference=1e-3, accuracy_difference=0.01)
    assert len(_failed(resume=drifted)) == 2
    not_resumed = dict(good["resume"], resumed={"test_accuracy": 0.9, "resumed_from": 0})
    assert len(_failed(resume=not_resumed)) == 1
    plain = scaling.policy_dtypes("float32")
    assert len(_failed(dtypes=plain)) == 1  # float32 everywhere: not mixed precision


def test_replica_table_has_one_column_per_backend():
    table = scaling.replica_table(_measured()["replicas"])
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["tensorflow"]
    assert table.loc["per replica", "tensorflow"] == 8


def test_demonstrate_resume_refuses_a_crash_outside_the_run(tmp_path):
    with pytest.raises(ValueError, match="Received: crash_after=3, epochs=3"):
        scaling_resume.demonstrate_resume(tmp_path, epochs=3, crash_after=3)
