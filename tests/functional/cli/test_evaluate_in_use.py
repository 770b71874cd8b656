"""``evaluate --in-use-from``: the offline gate blocks when a workload from a file uses an image that would go."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ecr_lifecycle_guard.cli.main import main

PODS = Path(__file__).resolve().parents[1] / "inuse" / "data" / "pods.json"
EXPIRE_OLD = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 30},
            "action": {"type": "expire"},
        }
    ]
}


def images(repository: str) -> dict[str, object]:
    """describe-images output: v1 is old (the pod runs it), v3 is new."""
    details = [
        {"imageDigest": "sha256:" + "a" * 64, "imageTags": ["v1"], "imagePushedAt": "2026-01-01T00:00:00Z"},
        {"imageDigest": "sha256:" + "c" * 64, "imageTags": ["v3"], "imagePushedAt": "2026-11-30T00:00:00Z"},
    ]
    return {"imageDetails": [{"registryId": "123456789012", "repositoryName": repository, **d} for d in details]}


def run(tmp_path: Path, repository: str, *extra: str) -> int:
    (tmp_path / "policy.json").write_text(json.dumps(EXPIRE_OLD))
    (tmp_path / "images.json").write_text(json.dumps(images(repository)))
    shutil.copy(PODS, tmp_path / "pods.json")
    argv = ["evaluate", "--policy", str(tmp_path / "policy.json"), "--images", str(tmp_path / "images.json")]
    return main([*argv, "--now", "2026-12-01T00:00:00Z", "--in-use-from", str(tmp_path / "pods.json"), *extra])


def test_an_image_a_kubernetes_pod_runs_blocks_the_offline_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: the kubectl output's pod web/api runs team/app:v1, which the policy would expire
    # when
    code = run(tmp_path, "team/app")
    # then
    out = capsys.readouterr().out
    assert code == 3
    assert "InUse: image 'v1' (sha256:aaaaaaaaaaaa) (expire) used by Kubernetes pod web/api" in out


def test_the_same_tag_in_another_repository_is_not_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # given: the same images, but in a repository no pod names
    # when
    code = run(tmp_path, "team/other")
    # then
    assert code == 0
    assert "gate: PASSED" in capsys.readouterr().out


def test_a_reference_in_another_region_does_not_count_when_the_region_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: the pods run us-east-1 images; the evaluated images are eu-west-1's
    # when
    code = run(tmp_path, "team/app", "--region", "eu-west-1")
    # then
    assert code == 0
    capsys.readouterr()
