"""Image references of workloads that AWS APIs cannot show, read from a file.

Two formats, told apart by the first character:

* ``kubectl get pods -A -o json`` output (a ``List``/``PodList`` of pods, or one pod): every
  container's ``image`` (``spec.containers``, ``initContainers``, ``ephemeralContainers``) and the
  digest the node pulled (``status.containerStatuses[].imageID`` and the init and ephemeral
  statuses, e.g. ``docker-pullable://<registry>/<name>@sha256:...``);
* a plain list: one image reference per line; blank lines and ``#`` comments are skipped.

References to other registries are kept (discovery ignores them); input that is not one of these
formats raises :class:`~ecr_lifecycle_guard.errors.InUseInputError` naming the file and the line
or the item.

Examples
--------
>>> import json, pathlib, tempfile
>>> pod = {"metadata": {"namespace": "web", "name": "api-1"},
...        "spec": {"containers": [{"name": "api", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1"}]}}
>>> with tempfile.TemporaryDirectory() as folder:
...     path = pathlib.Path(folder, "pods.json")
...     _ = path.write_text(json.dumps({"kind": "List", "items": [pod]}))
...     [(text[-6:], str(workload)) for text, workload in references_from_file(path)]
[('app:v1', 'Kubernetes pod web/api-1 (container api)')]
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from ecr_lifecycle_guard.errors import InUseInputError
from ecr_lifecycle_guard.inuse.model import Workload

__all__ = ["looks_like_image_reference", "references_from_file"]

_POD: Final = "Kubernetes pod"
_LISTED: Final = "listed"
_SPEC_GROUPS: Final = ("initContainers", "containers", "ephemeralContainers")
_STATUS_GROUPS: Final = ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses")
_SCHEME: Final = re.compile(r"^[a-z][a-z0-9+.-]*://")
#: Any registry's image reference: [host[:port]/]name[:tag][@digest] (the Docker reference grammar).
_ANY_REFERENCE: Final = re.compile(
    r"(?:[A-Za-z0-9.-]+(?::\d+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,})?"
)


def looks_like_image_reference(text: str) -> bool:
    """Whether ``text`` is an image reference of any registry (``runtime://`` prefixes allowed).

    Examples
    --------
    >>> looks_like_image_reference("nginx:1.27"), looks_like_image_reference("not an image")
    (True, False)
    """
    return _ANY_REFERENCE.fullmatch(_SCHEME.sub("", text)) is not None


def references_from_file(path: str | os.PathLike[str]) -> list[tuple[str, Workload]]:
    """The image references in ``path``, each with the workload that uses it.

    Raises
    ------
    InUseInputError
        The file is neither ``kubectl get pods -o json`` output nor a list of references; the message
        names the file and the line or item.
    OSError
        The file cannot be read.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")  # PowerShell writes a BOM
    except UnicodeDecodeError as error:
        raise InUseInputError(str(source), "", f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    if text.lstrip().startswith("{"):
        return _from_kubectl(str(source), text)
    return _from_list(source, text)


def _from_list(source: Path, text: str) -> list[tuple[str, Workload]]:
    references = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if not looks_like_image_reference(entry):
            shown = entry if len(entry) <= 80 else entry[:77] + "..."
            allowed = "must be one image reference (registry/name:tag or registry/name@digest)"
            raise InUseInputError(str(source), f"line {number}", f"{allowed}, got {shown!r}")
        references.append((entry, Workload(_LISTED, f"{source.name} line {number}")))
    return references


def _from_kubectl(source: str, text: str) -> list[tuple[str, Workload]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InUseInputError(source, f"line {error.lineno}", f"not valid JSON ({error.msg})") from None
    if not isinstance(document, dict):
        raise InUseInputError(source, "", "must be a JSON object (kubectl get pods -o json)")
    if "items" in document:
        items = document["items"]
        if not isinstance(items, list):
            raise InUseInputError(source, "items", f"must be a list of pods, got {type(items).__name__}")
        pods = [(f"items[{index}]", pod) for index, pod in enumerate(items)]
    elif document.get("kind") == "Pod":
        pods = [("pod", document)]
    else:
        raise InUseInputError(source, "", "has neither 'items' nor kind 'Pod' (expected kubectl get pods -o json)")
    references: list[tuple[str, Workload]] = []
    for where, pod in pods:
        references.extend(_pod(source, where, pod))
    return list(dict.fromkeys(references))


def _pod(source: str, where: str, pod: Any) -> Iterator[tuple[str, Workload]]:
    if not isinstance(pod, dict):
        raise InUseInputError(source, where, f"must be a pod object, got {type(pod).__name__}")
    metadata = _object(source, f"{where}.metadata", pod.get("metadata"))
    name = f"{metadata.get('namespace') or 'default'}/{metadata.get('name') or '?'}"
    sections = (
        ("spec", _object(source, f"{where}.spec", pod.get("spec")), _SPEC_GROUPS, ("image",)),
        ("status", _object(source, f"{where}.status", pod.get("status")), _STATUS_GROUPS, ("image", "imageID")),
    )
    for section, values, groups, fields in sections:
        for group in groups:
            containers = values.get(group) or []
            if not isinstance(containers, list):
                raise InUseInputError(source, f"{where}.{section}.{group}", "must be a list")
            for index, container in enumerate(containers):
                place = f"{where}.{section}.{group}[{index}]"
                if not isinstance(container, dict):
                    raise InUseInputError(source, place, f"must be a container object, got {type(container).__name__}")
                workload = Workload(_POD, name, f"container {container.get('name') or index}")
                for field in fields:
                    value = container.get(field)
                    if value in (None, ""):
                        continue
                    if not isinstance(value, str):
                        raise InUseInputError(source, f"{place}.{field}", f"must be a string, got {value!r}")
                    if "/" in value:  # a bare image ID ("sha256:...") names no repository
                        yield value, workload


def _object(source: str, where: str, value: Any) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InUseInputError(source, where, f"must be an object, got {type(value).__name__}")
    return value
