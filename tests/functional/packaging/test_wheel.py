"""The wheel carries the handler, and a CDK app outside this repository can pip-install it and synthesize."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
PACKAGE_ROOT = REPO_ROOT / "constructs" / "ecr_lifecycle_guard"
CONSUMER_APP = textwrap.dedent(
    """
    import aws_cdk as cdk
    import ecr_lifecycle_guard
    from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec

    print(ecr_lifecycle_guard.__file__)
    app = cdk.App()
    stack = cdk.Stack(app, "Consumer")
    GuardedLifecyclePolicy(stack, "Guard", repository_name="consumer-app", rules=[LifecycleRuleSpec.keep_last(10)])
    app.synth()
    """
)

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy so that the build's scratch folders never land in the working tree.
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("constructs", "lambda"):
        shutil.copytree(REPO_ROOT / folder, source / folder, ignore=ignore)
    for file in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / file, source / file)
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, source, cwd=source)
    (built,) = dist.glob("cdk_ecr_lifecycle_guard-*.whl")
    return built


def test_the_wheel_ships_the_handler_under_the_package_with_py_typed(wheel: Path) -> None:
    # when
    names = set(zipfile.ZipFile(wheel).namelist())

    # then
    handler_files = {
        f"ecr_lifecycle_guard/_lambda/guard_handler/{p.name}"
        for p in (REPO_ROOT / "lambda" / "guard_handler").glob("*.py")
    }
    assert {"ecr_lifecycle_guard/_lambda/index.py", "ecr_lifecycle_guard/py.typed"} <= names
    assert handler_files <= names


def test_the_wheel_holds_every_subpackage_of_the_library(wheel: Path) -> None:
    # given
    subpackages = {p.parent.relative_to(PACKAGE_ROOT.parent).as_posix() for p in PACKAGE_ROOT.rglob("__init__.py")}

    # when
    names = zipfile.ZipFile(wheel).namelist()

    # then
    assert {package for package in subpackages if f"{package}/__init__.py" not in names} == set()


def test_a_separate_app_synthesizes_with_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    # given: a fresh venv that borrows the heavy dependencies (aws-cdk-lib, crhelper) from this one
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).stdout.strip()
    )
    (purelib / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel, cwd=tmp_path)
    app_dir = tmp_path / "consumer"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(CONSUMER_APP)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"CDK_OUTDIR": str(app_dir / "cdk.out")}

    # when
    result = _run(python, "app.py", cwd=app_dir, env=env)

    # then
    assert Path(result.stdout.splitlines()[0]).is_relative_to(purelib)
    template = json.loads((app_dir / "cdk.out" / "Consumer.template.json").read_text())
    types = [resource["Type"] for resource in template["Resources"].values()]
    assert types.count("Custom::EcrLifecyclePolicy") == 1
    (asset,) = (app_dir / "cdk.out").glob("asset.*")
    assert (asset / "index.py").is_file()
    assert (asset / "guard_handler" / "__init__.py").is_file()
