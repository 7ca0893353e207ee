"""Data-parallel training on Keras' own engines, on two simulated CPU devices per backend."""

import pytest

from mmcourse import parallel, parallel_check
from mmcourse.bench.throughput import QUICK_MODELS


def test_one_device_is_a_plain_scope_with_one_replica():
    setup = parallel.data_parallel()  # the test process has one CPU device
    assert setup.num_replicas == 1 and setup.engine == "single device"
    with setup.scope():
        pass
    assert setup.global_batch_size(32) == 32
    assert setup.check_batch_size(7) == 7


def test_the_global_batch_is_per_replica_times_replicas_and_must_divide():
    setup = parallel.DataParallel(backend="jax", engine="MirroredStrategy", devices=("a", "b"))
    assert setup.global_batch_size(32) == 64
    with pytest.raises(ValueError, match=r"try 32 or 34.*Received: batch_size=33"):
        setup.check_batch_size(33)
    with pytest.raises(ValueError, match="Received: per_replica_batch_size=0"):
        setup.global_batch_size(0)
    with pytest.raises(ValueError, match="Received: per_replica_batch_size=2.5"):
        setup.global_batch_size(2.5)


def test_a_last_batch_that_replicas_cannot_share_is_named_on_jax():
    jax_setup = parallel.DataParallel(
        backend="jax", engine="keras.distribution.DataParallel", devices=("a", "b")
    )
    jax_setup.check_split(4800, 64)  # 75 full batches
    with pytest.raises(ValueError, match=r"last batch has 33 rows.*Received: num_rows=609"):
        jax_setup.check_split(609, 64, split="test")
    mirrored = parallel.DataParallel(
        backend="tensorflow", engine="MirroredStrategy", devices=("a", "b")
    )
    mirrored.check_split(609, 64)  # MirroredStrategy shares an uneven last batch itself


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend, engine",
    [("tensorflow", "MirroredStrategy"), ("jax", "keras.distribution.DataParallel")],
)
def test_two_replicas_train_as_one_device_does_and_every_lesson_gets_a_model(backend, engine):
    result = parallel_check.run_child(backend=backend, num_devices=2, models="quick")
    assert result["engine"] == engine and result["num_replicas"] == 2
    assert result["per_replica_batch_size"] * 2 == result["batch_size"]
    assert result["parallel"]["variable_devices"] == 2  # really mirrored on both devices
    assert result["single"]["variable_devices"] == 1
    # the same loss after the same steps, within float32 rounding
    assert result["max_loss_difference"] <= parallel_check.TOLERANCE
    assert result["max_weight_difference"] <= 1e-5
    assert result["single"]["train_loss"] != result["single"]["eval_loss"]  # it did train
    assert list(result["models"]) == list(QUICK_MODELS)  # one model of every lesson 03-09
    assert all(loss == loss and abs(loss) < 1e6 for loss in result["models"].values())


def test_run_child_refuses_another_backend():
    with pytest.raises(ValueError, match="Received: backend='torch'"):
        parallel_check.run_child(backend="torch")
