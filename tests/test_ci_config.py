"""The CI files a teacher gets with the course parse and run the README's test command."""

import yaml

from mmcourse import paths


def _load(name):
    return yaml.safe_load((paths.course_root() / name).read_text())


def test_github_workflow_runs_make_test_on_push():
    workflow = _load(".github/workflows/test.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in triggers
    steps = workflow["jobs"]["test"]["steps"]
    assert [step["run"] for step in steps if "run" in step] == ["make test"]


def test_gitlab_job_runs_make_test():
    assert _load(".gitlab-ci.yml")["test"]["script"] == ["make test"]


def test_local_ci_calls_make_test():
    script = (paths.course_root() / ".ci" / "run").read_text()
    assert [line for line in script.splitlines() if line.startswith("make")] == ["make test"]


def test_pre_commit_runs_ruff_check_and_format_offline():
    hooks = [hook for repo in _load(".pre-commit-config.yaml")["repos"] for hook in repo["hooks"]]
    assert [hook["entry"] for hook in hooks] == [
        ".venv/bin/ruff check --fix",
        ".venv/bin/ruff format",
    ]
    assert all(repo["repo"] == "local" for repo in _load(".pre-commit-config.yaml")["repos"])
