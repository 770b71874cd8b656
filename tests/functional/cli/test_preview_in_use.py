"""``preview`` finds workloads using the images (as the handler does) and takes more from files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import KEEP_NEWEST_TWO, endpoint_options, policy_file

from ecr_lifecycle_guard.cli.main import main
from ecr_lifecycle_guard.local import EcrStandIn, SeedImage
from ecr_lifecycle_guard.local.workloads import WorkloadSeeder

REPOSITORY = "shop/api"
#: Newest first; keep-2 expires v3, v2 and v1.
IMAGES = [SeedImage(tags=(f"v{n}",), pushed_days_ago=10 - n) for n in (5, 4, 3, 2, 1)]


@pytest.fixture
def stand_in(bare_stand_in: EcrStandIn) -> EcrStandIn:
    bare_stand_in.create_repository(REPOSITORY, images=IMAGES)
    return bare_stand_in


def digest_of(stand_in: EcrStandIn, tag: str) -> str:
    answer = stand_in.client("ecr").describe_images(repositoryName=REPOSITORY, imageIds=[{"imageTag": tag}])
    return str(answer["imageDetails"][0]["imageDigest"])


def image_uri(stand_in: EcrStandIn, suffix: str) -> str:
    return f"{stand_in.account_id}.dkr.ecr.{stand_in.region}.amazonaws.com/{REPOSITORY}{suffix}"


def kubectl_pods(stand_in: EcrStandIn, tmp_path: Path, digest: str) -> str:
    """``kubectl get pods -A -o json`` output: one pod that started from the image with ``digest`` (tag moved since)."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"namespace": "web", "name": "api-7d9f"},
        "spec": {"containers": [{"name": "api", "image": image_uri(stand_in, ":v5")}]},
        "status": {
            "containerStatuses": [
                {"name": "api", "image": image_uri(stand_in, ":v5"), "imageID": image_uri(stand_in, f"@{digest}")}
            ]
        },
    }
    path = tmp_path / "pods.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [pod]}), encoding="utf-8")
    return str(path)


def preview(stand_in: EcrStandIn, tmp_path: Path, *options: str) -> int:
    policy = policy_file(tmp_path, KEEP_NEWEST_TWO)
    argv = ["preview", "--repository", REPOSITORY, "--policy", policy, *endpoint_options(stand_in), "--timeout", "30"]
    return main([*argv, *options])


def test_an_image_a_kubernetes_pod_runs_blocks_and_the_table_names_the_pod(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: a pod runs v2 by digest
    pods = kubectl_pods(stand_in, tmp_path, digest_of(stand_in, "v2"))

    # when
    code = preview(stand_in, tmp_path, "--in-use-from", pods)

    # then
    out = capsys.readouterr().out
    (row,) = [line for line in out.splitlines() if " v2 " in line]
    assert code == 3
    assert "IN USE BY" in out.splitlines()[0]
    assert row.endswith("Kubernetes pod web/api-7d9f (container api)")
    assert "  InUse: image 'v2' (sha256:" in out
    assert "(expire) used by Kubernetes pod web/api-7d9f (container api)" in out


def test_json_marks_each_in_use_image_with_its_workloads(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: a plain list of references: v1 by tag, and an image of another repository
    listed = tmp_path / "images.txt"
    listed.write_text(f"# deployed by hand\n{image_uri(stand_in, ':v1')}\nnginx:1.27\n", encoding="utf-8")

    # when
    code = preview(stand_in, tmp_path, "--in-use-from", str(listed), "--json")

    # then
    document = json.loads(capsys.readouterr().out)
    (hit,) = document["inUse"]["images"]
    assert code == 3
    assert hit["imageDigest"] == digest_of(stand_in, "v1")
    assert hit["imageTags"] == ["v1"]
    assert hit["action"] == "EXPIRE"
    assert [workload["kind"] for workload in hit["workloads"]] == ["listed"]
    assert document["inUse"]["failures"] == []
    assert [v["limit"] for v in document["gate"]["violations"]] == ["InUse"]


def test_an_ecs_service_found_with_the_callers_credentials_blocks(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    seeder = WorkloadSeeder(stand_in)
    seeder.ecs_service("prod", "checkout", [seeder.image_uri(REPOSITORY, "v3")], tasks=1)

    # when
    code = preview(stand_in, tmp_path)

    # then
    out = capsys.readouterr().out
    assert code == 3
    assert "InUse: image 'v3'" in out
    assert "ECS service prod/checkout" in out


def test_no_in_use_skips_discovery_and_says_so(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    seeder = WorkloadSeeder(stand_in)
    seeder.ecs_service("prod", "checkout", [seeder.image_uri(REPOSITORY, "v3")], tasks=1)

    # when
    code = preview(stand_in, tmp_path, "--no-in-use")

    # then
    out = capsys.readouterr().out
    assert code == 0
    assert "in use: not checked (--no-in-use)" in out
    assert stand_in.calls("ListClusters") == []


def test_a_source_that_cannot_be_listed_blocks_naming_the_source(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    stand_in.faults.deny("lambda:ListFunctions")

    # when
    code = preview(stand_in, tmp_path)

    # then
    out = capsys.readouterr().out
    assert code == 3
    assert "InUse: cannot list Lambda functions in 123456789012/us-east-1: AccessDeniedException" in out


def test_an_unreadable_in_use_file_is_one_clear_error(
    stand_in: EcrStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # given
    broken = tmp_path / "pods.json"
    broken.write_text('{"kind": "List", "items": [', encoding="utf-8")

    # when
    code = preview(stand_in, tmp_path, "--in-use-from", str(broken))

    # then
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ")
    assert str(broken) in err
    assert err.count("\n") == 1


def test_in_use_files_or_roles_with_no_in_use_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when
    policy = policy_file(tmp_path, KEEP_NEWEST_TWO)
    code = main(
        ["preview", "--repository", REPOSITORY, "--policy", policy, "--no-in-use", "--in-use-from", "pods.json"]
    )

    # then
    assert code == 2
    assert capsys.readouterr().err == (
        "ecr-lifecycle-guard preview: error: --in-use-from and --in-use-role need in-use protection: drop --no-in-use\n"
    )
