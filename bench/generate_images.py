"""Generate describe-images files and matching policies for the benchmarks, with expected counts.

Construction (image ``i`` = 0 is the newest; push times are distinct, one minute apart):

* ``tagged_rules`` rules ``team<j>-*`` (priority ``j + 1``): even ``j`` keeps the ``KEEP`` newest,
  odd ``j`` expires images older than ``DAYS`` days;
* one ``untagged`` rule expiring images older than ``DAYS`` days;
* one ``any`` rule keeping the ``ANY_KEEP`` newest (priority last).

Image ``i`` falls in slot ``i % (tagged_rules + 2)``: slots ``0 .. tagged_rules - 1`` are tagged
``team<slot>-<i>`` (plus ``build-<i>``), the next slot is untagged and the last is tagged
``misc-<i>`` (selected by the ``any`` rule only). :func:`expected_expiring` counts the images each
rule must expire by walking this construction directly, without the engine.

Usage: ``python bench/generate_images.py COUNT RULES OUT_DIR`` writes ``images-COUNT.json`` and
``policy-RULES.json``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

NOW: Final = datetime(2026, 1, 1, tzinfo=UTC)
KEEP: Final = 50
DAYS: Final = 30
ANY_KEEP: Final = 100
_MINUTES_PER_DAY: Final = 1440


def policy(total_rules: int) -> dict[str, Any]:
    """A valid policy with ``total_rules`` rules (``total_rules - 2`` tagged, one untagged, one any)."""
    rules: list[dict[str, Any]] = []
    for j in range(total_rules - 2):
        selection: dict[str, Any] = {"tagStatus": "tagged", "tagPatternList": [f"team{j}-*"]}
        if j % 2 == 0:
            selection |= {"countType": "imageCountMoreThan", "countNumber": KEEP}
        else:
            selection |= {"countType": "sinceImagePushed", "countUnit": "days", "countNumber": DAYS}
        rules.append({"rulePriority": j + 1, "selection": selection, "action": {"type": "expire"}})
    untagged = {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": DAYS}
    rules.append({"rulePriority": total_rules - 1, "selection": untagged, "action": {"type": "expire"}})
    anything = {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": ANY_KEEP}
    rules.append({"rulePriority": total_rules, "selection": anything, "action": {"type": "expire"}})
    return {"rules": rules}


def images(count: int, total_rules: int) -> dict[str, Any]:
    """describe-images output of ``count`` images built as the module docstring describes."""
    slots = total_rules
    details = []
    for i in range(count):
        slot = i % slots
        pushed = NOW - timedelta(minutes=i, seconds=30)
        detail: dict[str, Any] = {
            "registryId": "123456789012",
            "repositoryName": "bench",
            "imageDigest": f"sha256:{i:064x}",
            "imageSizeInBytes": 1000 + i,
            "imagePushedAt": pushed.isoformat(),
            "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
        }
        if slot < slots - 2:
            detail["imageTags"] = [f"team{slot}-{i}", f"build-{i}"]
        elif slot == slots - 1:
            detail["imageTags"] = [f"misc-{i}"]
        details.append(detail)
    return {"imageDetails": details}


def expected_expiring(count: int, total_rules: int) -> int:
    """How many images the policy must expire, counted from the construction alone."""
    slots = total_rules
    seen_in_slot = [0] * slots
    expiring = 0
    for i in range(count):
        slot = i % slots
        age_minutes = i + 0.5
        older_than_days = age_minutes > DAYS * _MINUTES_PER_DAY
        if slot == slots - 1:
            expiring += i >= ANY_KEEP  # the any rule ranks over every image, shielded or not
        elif slot == slots - 2 or slot % 2 == 1:
            expiring += older_than_days
        else:
            expiring += seen_in_slot[slot] >= KEEP
        seen_in_slot[slot] += 1
    return expiring


def write(count: int, total_rules: int, out_dir: Path) -> tuple[Path, Path]:
    """Write the images and policy files; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    images_path = out_dir / f"images-{count}-{total_rules}.json"
    policy_path = out_dir / f"policy-{total_rules}.json"
    if not images_path.exists():
        images_path.write_text(json.dumps(images(count, total_rules)), encoding="utf-8")
    policy_path.write_text(json.dumps(policy(total_rules), indent=2), encoding="utf-8")
    return images_path, policy_path


if __name__ == "__main__":
    print(*write(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
