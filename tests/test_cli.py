import io
import shutil

from mmcourse import cli
from mmcourse.synth.generate import MoodPostsConfig, write_moodposts


def test_doctor_reports_versions_devices_and_dataset():
    out = io.StringIO()
    problems = cli.doctor(out=out)
    text = out.getvalue()
    assert problems == 0, text
    for expected in ("keras", "tensorflow", "== Devices", "moodposts: 6", "all good"):
        assert expected in text


def test_data_verify_passes_then_fails_on_a_changed_file(tmp_path, capsys):
    write_moodposts(tmp_path / "moodposts", MoodPostsConfig(num_posts=40, seed=3))
    assert cli.main(["data", "verify", "--data-home", str(tmp_path)]) == 0
    assert "OK: 43 files" in capsys.readouterr().out
    (tmp_path / "moodposts" / "manifest.csv").write_text("id\n")
    assert cli.main(["data", "verify", "--data-home", str(tmp_path)]) == 1
    assert "manifest.csv does not match" in capsys.readouterr().out


def test_data_generate_writes_a_variant(tmp_path, capsys):
    out = tmp_path / "variant"
    assert (
        cli.main(
            [
                "data",
                "generate",
                "--out",
                str(out),
                "--num-posts",
                "50",
                "--label-noise",
                "0.1",
                "--seed",
                "9",
            ]
        )
        == 0
    )
    assert "wrote 50 posts" in capsys.readouterr().out
    assert len(list((out / "images").glob("*.png"))) == 50
    shutil.rmtree(out)


def test_doctor_flags_a_broken_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("MMCOURSE_DATA", str(tmp_path))
    out = io.StringIO()
    assert cli.doctor(out=out) >= 1
    assert "PROBLEM: MoodPosts files are missing" in out.getvalue()
