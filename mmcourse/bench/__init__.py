"""`mmcourse bench`: what this machine does with the course, measured, as tables and JSON.

Four sections, each in its own module:

- `pipeline`: the course's `tf.data` input pipeline (lesson 04: `to_tf_dataset` and the
  augmentation layers) against the article's listing 4.2 (`ImageDataGenerator` reading and
  augmenting files per batch) on the same 4,800 train images: samples/s of each, and the ratio;
- `throughput`: training throughput of every lesson model (samples/s, ms/step), float32 and,
  where a GPU is present, `mixed_float16` and `mixed_bfloat16` with their ratio to float32;
  backend-agnostic (it runs under `KERAS_BACKEND=jax` without TensorFlow);
- `growth`: one fusion model on MoodPosts variants of 1k, 6k and 50k posts, each in a fresh
  process: seconds to prepare, seconds per epoch, bytes of the arrays, peak memory;
- `lesson_times`: each lesson's `run_experiment`, timed in a fresh process, fast mode (and
  full mode on request), with its peak memory.

`report.run_all` runs them in that order and returns one JSON-able dict (with the machine it
ran on); `report.format_tables` and `report.format_markdown` render it. From the shell:

    mmcourse bench                      # the real measurement (the 50k variant takes minutes)
    mmcourse bench --quick              # CI: small sizes, one model per lesson, lesson 03
    mmcourse bench --full-lessons       # also every lesson in full mode (tens of minutes)
    mmcourse bench --out build/bench.json --markdown notebooks/BENCHMARKS.md

A section that needs TensorFlow (`tf.data`) is recorded as `{"skipped": "needs TensorFlow"}`
where it is not installed.
"""

from mmcourse.bench.report import run_all

__all__ = ["run_all"]
