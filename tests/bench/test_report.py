"""`mmcourse bench`: one quick run checked section by section, its CLI, and the formatting.

The quick run (`run_all(quick=True)`, about a minute on 2 cores) is shared by the slow tests;
the formatting is tested on a hand-made result. No test asserts a wall-clock time: benchmarks
measure, tests check what the measurements are made of.
"""

import importlib.util
import json
import math
import os
import subprocess
import sys

import pytest

from mmcourse import cli
from mmcourse.bench import growth, lesson_times, pipeline, report, throughput
from mmcourse.bench.child import run_child


@pytest.fixture(scope="module")
def quick_result():
    lines = []
    result = report.run_all(quick=True, progress=lines.append)
    result["progress_lines"] = lines  # for the tests; not part of what run_all returns
    return result


@pytest.mark.slow
def test_quick_run_has_every_section_with_positive_numbers(quick_result):
    assert report.problems(quick_result) == []
    for name in report.SECTIONS:
        assert name in quick_result and "skipped" not in quick_result[name], name
        assert quick_result[name]["seconds"] > 0
    machine = quick_result["machine"]
    assert machine["cores"] >= 1 and machine["devices"] and machine["load_average"]
    assert machine["onednn"] == report.onednn_setting(machine["backend"])
    assert "keras" in machine["versions"]
    for row in quick_result["pipeline"]["rows"]:
        assert row["images"] == pipeline.QUICK_IMAGES and row["samples_per_second"] > 0
    for row in quick_result["growth"]["rows"]:
        assert row["posts"] == row["size"] and row["train_posts"] > 0
        for key in ("prepare_seconds", "seconds_per_epoch", "array_bytes", "peak_rss_kib"):
            assert row[key] > 0, (row["size"], key)
    sizes = [row["size"] for row in quick_result["growth"]["rows"]]
    assert sizes == list(growth.QUICK_SIZES)
    bytes_by_size = [row["array_bytes"] for row in quick_result["growth"]["rows"]]
    assert bytes_by_size == sorted(bytes_by_size)  # more posts, more bytes
    (lesson,) = quick_result["lesson_times"]["rows"]
    assert (lesson["lesson"], lesson["mode"]) == ("03", "fast")
    assert lesson["seconds"] > 0 and lesson["peak_rss_kib"] > 0 and lesson["models"] >= 3
    assert any(line.startswith("[growth]") for line in quick_result["progress_lines"])


@pytest.mark.slow
def test_quick_throughput_losses_are_finite_and_outputs_float32(quick_result):
    section = quick_result["throughput"]
    rows = section["rows"]
    assert {row["model"] for row in rows} == set(throughput.QUICK_MODELS)
    for row in rows:
        assert row["loss_finite"] and math.isfinite(row["loss"]), row["model"]
        assert row["outputs_float32"] and set(row["output_dtypes"]) == {"float32"}
        assert row["samples_per_second"] > 0 and row["ms_per_step"] > 0 and row["params"] > 0
        rate = row["steps"] * row["batch_size"] / (row["ms_per_step"] / 1000.0 * row["steps"])
        assert row["samples_per_second"] == pytest.approx(rate)
    if section["gpu"]:
        float32 = {r["model"]: r["samples_per_second"] for r in rows if r["policy"] == "float32"}
        mixed = [row for row in rows if row["policy"] != "float32"]
        assert {row["policy"] for row in mixed} == set(throughput.MIXED_POLICIES)
        for row in mixed:
            quotient = row["samples_per_second"] / float32[row["model"]]
            assert row["ratio_to_float32"] == pytest.approx(quotient)
    else:
        assert {row["policy"] for row in rows} == {"float32"}
        assert section["note"] == throughput.NO_GPU_NOTE


@pytest.mark.slow
def test_quick_pipeline_ratio_is_the_quotient_of_the_rates(quick_result):
    section = quick_result["pipeline"]
    rates = {row["pipeline"]: row["samples_per_second"] for row in section["rows"]}
    assert set(rates) == {pipeline.TF_DATA, pipeline.TF_DATA_CACHED, pipeline.LEGACY}
    assert section["ratio"] == pytest.approx(rates[pipeline.TF_DATA] / rates[pipeline.LEGACY])
    cached = rates[pipeline.TF_DATA_CACHED] / rates[pipeline.LEGACY]
    assert section["cached_ratio"] == pytest.approx(cached)


@pytest.mark.slow
def test_quick_tables_show_every_section(quick_result):
    plain, markdown = report.format_tables(quick_result), report.format_markdown(quick_result)
    for text in (plain, markdown):
        for title in report.TITLES.values():
            assert title in text
        for name in (*throughput.QUICK_MODELS, pipeline.LEGACY, "no GPU", "03"):
            if name != "no GPU" or not quick_result["throughput"]["gpu"]:
                assert name in text, name
        assert os.getcwd() not in text and str(os.path.expanduser("~")) + "/" not in text
    assert "| pipeline | images |" in markdown


@pytest.mark.slow
def test_cli_bench_writes_json_and_markdown(quick_result, tmp_path, monkeypatch, capsys):
    asked = {}

    def run_all(**kwargs):
        asked.update(kwargs)
        return quick_result

    monkeypatch.setattr(report, "run_all", run_all)
    out, markdown = tmp_path / "bench" / "quick.json", tmp_path / "BENCHMARKS.md"
    code = cli.main(["bench", "--quick", "--out", str(out), "--markdown", str(markdown)])
    assert code == 0
    assert asked["quick"] is True and asked["full_lessons"] is False
    saved = json.loads(out.read_text())
    assert all(name in saved for name in ("machine", *report.SECTIONS))
    assert saved["pipeline"]["ratio"] == pytest.approx(quick_result["pipeline"]["ratio"])
    assert "### " + report.TITLES["growth"] in markdown.read_text()
    printed = capsys.readouterr().out
    assert report.TITLES["throughput"] in printed and f"wrote {out}" in printed


def _hand_made() -> dict:
    machine = {
        "date": "2026-01-01T00:00:00",
        "platform": "Linux-test",
        "processor": "x86_64",
        "cores": 2,
        "memory_bytes": 8 * 2**30,
        "backend": "tensorflow",
        "devices": ["CPU:0"],
        "gpu": False,
        "versions": {"python": "3.11", "keras": "3.15"},
        "load_average": [1.5, 1.0, 0.5],
        "onednn": "off",
    }
    rows = [
        {"pipeline": name, "images": 64, "seconds": 0.5, "samples_per_second": rate, "note": ""}
        for name, rate in ((pipeline.TF_DATA, 128.0), (pipeline.LEGACY, 64.0))
    ]
    train = {"lesson": "07", "policy": "float32", "params": 1234, "samples_per_second": 900.0}
    train.update(ms_per_step=35.6, loss=1.0986, outputs_float32=True, model="gated_fusion")
    broken = {"model": "text_bilstm", "lesson": "03", "policy": "float32", "error": "Boom"}
    grown = {"size": 1000, "source": "generated", "prepare_seconds": 4.25, "peak_rss_kib": 2**20}
    grown.update(first_epoch_seconds=2.0, seconds_per_epoch=0.75, array_bytes=50 * 2**20)
    grown["image_bytes"] = 40 * 2**20
    return {
        "mode": "quick",
        "seconds": 61.0,
        "machine": machine,
        "pipeline": {"images": 64, "batch_size": 32, "rows": rows, "ratio": 2.0},
        "throughput": {"backend": "tensorflow", "batch_size": 32, "rows": [train, broken]},
        "growth": {"model": "gated_fusion", "batch_size": 64, "rows": [grown]},
        "lesson_times": {"skipped": "needs TensorFlow"},
    }


def test_format_tables_renders_every_row_of_a_hand_made_result():
    text = report.format_tables(_hand_made())
    fragments = ("2 cores", "8,192 MiB", "load average at the start: 1.5 1.0 0.5")
    for fragment in (*fragments, "backend tensorflow (oneDNN off), devices: CPU:0"):
        assert fragment in text
    assert "tf.data" in text and "2.00" in text  # 128 samples/s over 64
    assert "gated_fusion" in text and "1,234" in text and "35.6" in text and "1.099" in text
    assert "text_bilstm" in text and "Boom" in text
    assert "4.2" in text and "0.75" in text and "1,024" in text  # peak RSS in MiB
    assert "(skipped: needs TensorFlow)" in text
    assert text.count("== ") == 1 + len(report.SECTIONS)


def test_format_markdown_has_a_table_per_measured_section():
    text = report.format_markdown(_hand_made())
    assert text.startswith("## mmcourse bench")
    assert text.count("\n### ") == len(report.SECTIONS)
    assert "| lesson | model | policy | params |" in text
    assert "| 07 | gated_fusion | float32 | 1,234 |" in text
    assert "skipped: needs TensorFlow." in text


def test_a_run_says_whether_tensorflows_onednn_kernels_were_on(monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    assert report.onednn_setting("tensorflow") == "off"
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    assert report.onednn_setting("tensorflow") == "on"
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS")
    assert report.onednn_setting("tensorflow") == "on"  # TensorFlow's own default
    assert report.onednn_setting("jax") == "n/a"
    result = _hand_made()
    del result["machine"]["onednn"]  # a JSON written before the field existed
    assert "backend tensorflow (oneDNN not recorded)" in report.format_tables(result)


def test_problems_names_failed_sections_and_rows(tmp_path):
    result = _hand_made()
    result["growth"] = {"error": "MemoryError: "}
    assert report.problems(result) == [
        "throughput, text_bilstm: Boom",
        "growth: MemoryError: ",
    ]
    path = report.write_json(result, tmp_path / "deep" / "bench.json")
    assert json.loads(path.read_text())["pipeline"]["ratio"] == 2.0


def test_sections_that_need_tensorflow_are_skipped_without_it(monkeypatch):
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "tensorflow" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    skipped = {"skipped": "needs TensorFlow"}
    assert pipeline.measure_pipelines(quick=True) == skipped
    assert growth.measure_growth(quick=True) == skipped
    assert lesson_times.measure_lesson_times(quick=True) == skipped


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="names must be among"):
        throughput.measure_throughput(names=["no_such_model"])
    with pytest.raises(ValueError, match="sizes must be integers"):
        growth.measure_growth(sizes=[10])
    with pytest.raises(ValueError, match="numbers must be among"):
        lesson_times.measure_lesson_times(numbers=["02"])
    with pytest.raises(ValueError, match="module:function"):
        run_child("no colon", {})


def test_one_model_trains_with_a_finite_loss_and_float32_outputs():
    (spec,) = [s for s in throughput.model_specs() if s.name == "multitask"]
    row = throughput.measure_model(spec, quick=True)
    assert row["loss_finite"] and row["outputs_float32"] and len(row["output_dtypes"]) == 3
    assert row["samples_per_second"] > 0


def test_every_lesson_has_a_model_and_names_are_unique():
    names = throughput.model_names()
    assert len(names) == len(set(names))
    assert {spec.lesson for spec in throughput.model_specs()} == {f"0{n}" for n in range(3, 10)}
    assert set(throughput.QUICK_MODELS) <= set(names)


def test_a_failing_child_reports_its_error_without_machine_paths():
    row = run_child("mmcourse.bench.child:no_such_function", {})
    assert "ImportError" in row["error"] and "exit status 1" in row["error"]
    assert os.path.expanduser("~") + "/" not in row["error"]


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs JAX")
def test_throughput_runs_under_jax_without_importing_tensorflow():
    code = (
        "import sys; from mmcourse.bench import throughput; "
        "r = throughput.measure_throughput(names=['gated_fusion'], quick=True, progress=print); "
        "assert r['backend'] == 'jax' and r['rows'][0]['loss_finite'], r; "
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'"
    )
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3"}
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_a_lesson_timed_with_onednn_on_says_so_in_its_row():
    result = _hand_made()
    row = {"seconds": 240.0, "models": 5, "claims_held": 9, "claims": 9, "peak_rss_kib": 2**20}
    rows = [{"lesson": "04", "mode": "full", "onednn": True, **row}]
    rows.append({"lesson": "05", "mode": "full", "onednn": False, **row})
    result["lesson_times"] = {"modes": ["full"], "rows": rows}
    text = report.format_markdown(result)
    assert "| 04 (oneDNN on) | full | 240 |" in text
    assert "| 05 | full | 240 |" in text
