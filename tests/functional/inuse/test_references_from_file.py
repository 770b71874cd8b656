"""references_from_file: kubectl pod lists and plain lists of references, and clear errors for anything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecr_lifecycle_guard.errors import InUseInputError
from ecr_lifecycle_guard.inuse import ImageReference, RepositoryRef, references_from_file

DATA = Path(__file__).resolve().parent / "data"
HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
APP = RepositoryRef("123456789012", "us-east-1", "team/app")


def test_kubectl_pods_give_every_containers_image_and_the_digest_the_node_pulled() -> None:
    # when
    references = references_from_file(DATA / "pods.json")
    # then
    found = {(text, str(workload)) for text, workload in references}
    assert (f"{HOST}/team/app:v1", "Kubernetes pod web/api-7d9f8b6c5d-x2k4p (container api)") in found
    assert (
        f"docker-pullable://{HOST}/team/app@sha256:{'1' * 64}",
        "Kubernetes pod web/api-7d9f8b6c5d-x2k4p (container api)",
    ) in found
    assert (
        f"{HOST}/team/migrate@sha256:{'3' * 64}",
        "Kubernetes pod web/api-7d9f8b6c5d-x2k4p (container migrate)",
    ) in found
    assert (
        f"{HOST}/team/app@sha256:{'2' * 64}",
        "Kubernetes pod jobs/report-28866120-8lq2v (container report)",
    ) in found
    assert (f"{HOST}/tools/debug:latest", "Kubernetes pod web/debug-target (container debugger-x7)") in found
    assert all(text for text, _ in references)  # an empty imageID (container still creating) is skipped
    assert not any(text.startswith("sha256:") for text, _ in references)  # a bare image ID names no repository


def test_kubectl_references_to_the_guarded_repository_name_it_by_tag_and_by_digest() -> None:
    # when
    parsed = [ImageReference.parse(text) for text, _ in references_from_file(DATA / "pods.json")]
    # then
    ours = sorted((ref.tag or "", ref.digest or "") for ref in parsed if ref is not None and ref.names(APP))
    assert ours == [("", f"sha256:{'1' * 64}"), ("", f"sha256:{'2' * 64}"), ("v1", "")]


def test_a_single_pod_document_is_read_too(tmp_path: Path) -> None:
    # given
    pod = json.loads((DATA / "pods.json").read_text())["items"][1]
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(pod))
    # when
    references = references_from_file(path)
    # then
    assert [str(w) for _, w in references] == ["Kubernetes pod jobs/report-28866120-8lq2v (container report)"]


def test_a_plain_list_gives_one_reference_per_line_without_comments() -> None:
    # when
    references = references_from_file(DATA / "images.txt")
    # then
    assert [(text, str(workload)) for text, workload in references] == [
        (f"{HOST}/team/app:v2", "listed images.txt line 2"),
        (f"{HOST}/team/app@sha256:{'1' * 64}", "listed images.txt line 3"),
        ("docker.io/library/redis:7.4", "listed images.txt line 5"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "# fleet\napp:v1\nnot an image\n",
            "{path}: line 3: must be one image reference (registry/name:tag or "
            "registry/name@digest), got 'not an image'",
        ),
        ('{"items": [}', "{path}: line 1: not valid JSON (Expecting value)"),
        ('{"items": {"a": 1}}', "{path}: items: must be a list of pods, got dict"),
        ('{"kind": "Deployment"}', "{path}: has neither 'items' nor kind 'Pod' (expected kubectl get pods -o json)"),
        (
            '{"items": [{"spec": {"containers": [{"name": "a", "image": 5}]}}]}',
            "{path}: items[0].spec.containers[0].image: must be a string, got 5",
        ),
        ('{"items": [{"spec": {"containers": "x"}}]}', "{path}: items[0].spec.containers: must be a list"),
        ('{"items": [3]}', "{path}: items[0]: must be a pod object, got int"),
        (
            '{"items": [{"status": {"containerStatuses": [{"imageID": ["x"]}]}}]}',
            "{path}: items[0].status.containerStatuses[0].imageID: must be a string, got ['x']",
        ),
    ],
)
def test_bad_input_names_the_file_and_the_line_or_item(tmp_path: Path, content: str, message: str) -> None:
    # given
    path = tmp_path / "in-use.txt"
    path.write_text(content)
    # when
    with pytest.raises(InUseInputError) as raised:
        references_from_file(path)
    # then
    assert str(raised.value) == message.format(path=path)
    assert isinstance(raised.value, ValueError)


def test_a_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    # given
    path = tmp_path / "pods.bin"
    path.write_bytes(b"\xff\xfe\x00binary")
    # when / then
    with pytest.raises(InUseInputError, match=r"pods\.bin: not UTF-8 text"):
        references_from_file(path)


def test_a_kubectl_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # given (PowerShell's > writes UTF-8 with a BOM)
    path = tmp_path / "pods.json"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "pods.json").read_bytes())
    # when
    references = references_from_file(path)
    # then
    assert references == references_from_file(DATA / "pods.json")
