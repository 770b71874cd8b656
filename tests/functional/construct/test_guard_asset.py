"""The handler asset is bundled without Docker, holds exactly what the handler needs and hashes stably."""

from __future__ import annotations

import filecmp
from pathlib import Path

import aws_cdk as cdk
import pytest
from construct_helpers import KEEP_FIVE

from ecr_lifecycle_guard import GuardedLifecyclePolicy


def _synth(outdir: Path) -> tuple[str, Path]:
    app = cdk.App(outdir=str(outdir))
    GuardedLifecyclePolicy(cdk.Stack(app, "Stack"), "Guard", repository_name="app", policy=KEEP_FIVE)
    template = app.synth().get_stack_by_name("Stack").template
    (function,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    return asset_hash, outdir / f"asset.{asset_hash}"


@pytest.fixture(scope="module")
def two_synths(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[str, Path], tuple[str, Path]]:
    return _synth(tmp_path_factory.mktemp("first")), _synth(tmp_path_factory.mktemp("second"))


def test_the_asset_hash_is_identical_across_synths(two_synths: tuple[tuple[str, Path], tuple[str, Path]]) -> None:
    # when
    (first_hash, first_dir), (second_hash, second_dir) = two_synths

    # then
    assert first_hash == second_hash
    comparison = filecmp.dircmp(first_dir, second_dir)
    assert (comparison.left_only, comparison.right_only, comparison.diff_files) == ([], [], [])


def test_the_asset_holds_the_handler_the_engine_and_crhelper(
    two_synths: tuple[tuple[str, Path], tuple[str, Path]],
) -> None:
    # when
    (_, asset), _ = two_synths

    # then
    for required in (
        "index.py",
        "guard_handler/__init__.py",
        "ecr_lifecycle_guard/engine/__init__.py",
        "crhelper/__init__.py",
    ):
        assert (asset / required).is_file(), required


def test_the_asset_leaves_out_the_construct_cli_local_and_bytecode(
    two_synths: tuple[tuple[str, Path], tuple[str, Path]],
) -> None:
    # when
    (_, asset), _ = two_synths

    # then
    package = asset / "ecr_lifecycle_guard"
    assert [part for part in ("construct", "cli", "local") if (package / part).exists()] == []
    assert [p for p in asset.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"] == []
