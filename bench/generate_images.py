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

The *realistic* shape (:func:`realistic_images`, :func:`realistic_policy`) is what a busy
repository looks like: 75 % of the images tagged, a fifth of those with a second tag, half with a
recorded pull time, one in ten archived, push times spread over two years in random order, and a
ten-rule policy that mixes tag patterns (with leading, inner and trailing ``*``), prefixes, keep-N
and age rules, a transition to archive and an archive-class expiry. It is seeded, so every run
writes the same file; its expected counts come from the engine itself (no independent construction).

Usage: ``python bench/generate_images.py COUNT RULES OUT_DIR`` writes ``images-COUNT-RULES.json`` and
``policy-RULES.json``; ``python bench/generate_images.py COUNT realistic OUT_DIR`` writes
``images-COUNT-realistic.json`` and ``policy-realistic.json``.
"""

from __future__ import annotations

import json
import random
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


#: The realistic shape's tag families: (share of the tagged images, tag maker).
_FAMILIES: Final = (
    (0.20, lambda i, r: f"release-{r.randint(1, 9)}.{r.randint(0, 40)}.{i}"),
    (0.10, lambda i, r: f"prod-{i}"),
    (0.10, lambda i, r: f"{r.randint(1, 9)}.{r.randint(0, 40)}.{i}-rc{r.randint(1, 5)}"),
    (0.20, lambda i, r: f"pr-{r.randint(1, 5000)}-build{i}"),
    (0.10, lambda i, r: f"nightly-{i}"),
    (0.10, lambda i, r: f"feature-{r.choice(('auth', 'billing', 'search', 'ui'))}-{i}"),
    (0.10, lambda i, r: f"v{r.randint(1, 30)}.{i}"),
    (0.10, lambda i, r: f"sha-{r.getrandbits(40):010x}{i}"),
)
_SECOND_TAGS: Final = ("git-{:012x}", "build-{:x}", "{:x}-amd64")


def realistic_policy() -> dict[str, Any]:
    """Ten rules: tag patterns, prefixes, keep-N, ages, a transition to archive and an archive-class expiry."""

    def tagged(key: str, entries: list[str]) -> dict[str, Any]:
        return {"tagStatus": "tagged", key: entries}

    def keep(count: int) -> dict[str, Any]:
        return {"countType": "imageCountMoreThan", "countNumber": count}

    def older(count_type: str, days: int) -> dict[str, Any]:
        return {"countType": count_type, "countUnit": "days", "countNumber": days}

    expire = {"type": "expire"}
    selections: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (tagged("tagPatternList", ["release-*"]) | keep(300), expire),
        (tagged("tagPrefixList", ["prod-"]) | keep(100), expire),
        (tagged("tagPatternList", ["*-rc*"]) | older("sinceImagePushed", 30), expire),
        (tagged("tagPatternList", ["pr-*-build*"]) | older("sinceImagePushed", 14), expire),
        (tagged("tagPrefixList", ["nightly-"]) | keep(30), expire),
        (tagged("tagPatternList", ["feature-*-*", "*-amd64"]) | older("sinceImagePushed", 60), expire),
        (
            tagged("tagPrefixList", ["v"]) | older("sinceImagePulled", 90),
            {"type": "transition", "targetStorageClass": "archive"},
        ),
        ({"tagStatus": "untagged"} | older("sinceImagePushed", 7), expire),
        ({"tagStatus": "any"} | keep(20_000), expire),
        ({"tagStatus": "any", "storageClass": "archive"} | older("sinceImageTransitioned", 180), expire),
    ]
    return {
        "rules": [
            {"rulePriority": 10 * (n + 1), "selection": selection, "action": action}
            for n, (selection, action) in enumerate(selections)
        ]
    }


def _stamp(moment: datetime) -> str:
    """As the AWS CLI prints it: ISO-8601 with an offset, fractional seconds when there are some."""
    return moment.isoformat()


def realistic_images(count: int, seed: int = 7) -> dict[str, Any]:
    """describe-images output (``--filter imageStatus=ANY``) of a busy repository; see the module docstring."""
    rng = random.Random(seed)
    span = 2 * 365 * _MINUTES_PER_DAY * 60  # two years of push times, in seconds
    weights = [share for share, _ in _FAMILIES]
    details = []
    for i in range(count):
        pushed = NOW - timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(1000) * 1000)
        detail: dict[str, Any] = {
            "registryId": "123456789012",
            "repositoryName": "bench/realistic",
            "imageDigest": f"sha256:{rng.getrandbits(256):064x}",
        }
        if rng.random() < 0.75:
            (family,) = rng.choices(_FAMILIES, weights)
            tags = [family[1](i, rng)]
            if rng.random() < 0.2:
                tags.append(rng.choice(_SECOND_TAGS).format(rng.getrandbits(48) * count + i))
            detail["imageTags"] = tags
        detail["imageSizeInBytes"] = rng.randrange(5_000_000, 900_000_000)
        detail["imagePushedAt"] = _stamp(pushed)
        detail["imageManifestMediaType"] = "application/vnd.oci.image.manifest.v1+json"
        detail["artifactMediaType"] = "application/vnd.oci.image.config.v1+json"
        if rng.random() < 0.5:
            detail["lastRecordedPullTime"] = _stamp(pushed + (NOW - pushed) * rng.random())
        if rng.random() < 0.1:
            detail["imageStatus"] = "ARCHIVED"
            detail["lastArchivedAt"] = _stamp(pushed + (NOW - pushed) * rng.random())
        else:
            detail["imageStatus"] = "ACTIVE"
        details.append(detail)
    return {"imageDetails": details}


def write_realistic(count: int, out_dir: Path) -> tuple[Path, Path]:
    """Write the realistic images and policy files; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    images_path = out_dir / f"images-{count}-realistic.json"
    policy_path = out_dir / "policy-realistic.json"
    if not images_path.exists():
        images_path.write_text(json.dumps(realistic_images(count), indent=4), encoding="utf-8")
    policy_path.write_text(json.dumps(realistic_policy(), indent=2), encoding="utf-8")
    return images_path, policy_path


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
    if sys.argv[2] == "realistic":
        print(*write_realistic(int(sys.argv[1]), Path(sys.argv[3])))
    else:
        print(*write(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
