"""Fixtures for the command-line tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import isolate_from_user_aws_config, use_stand_in_credentials

from ecr_lifecycle_guard.local import EcrStandIn


@pytest.fixture
def bare_stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[EcrStandIn]:
    """A running stand-in without repositories, reachable with the environment's credentials."""
    isolate_from_user_aws_config(monkeypatch, tmp_path)
    with EcrStandIn(preview_latency=0.1) as running:
        use_stand_in_credentials(monkeypatch, running)
        yield running


#: The synthesized test app's environment: the stand-in's account and Region.
ASSEMBLY_ACCOUNT = "123456789012"
ASSEMBLY_REGION = "us-east-1"


@pytest.fixture(scope="session")
def fleet_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cloud assembly synthesized in-process (once): guards in a stack, in a Stage, and a plain repository.

    * stack ``Fleet`` (the stand-in's account and Region): repository ``web`` guarded with keep-2 and
      ``max_expiring_images=10``; ``api`` guarded by name with keep-1 and ``max_expiring_images=1``;
      ``batch`` guarded by name, ``PreviewOnly``; a repository without a name, guarded; ``plain``, a
      plain repository with ``lifecycle_rules``;
    * stage ``Prod`` (same environment), stack ``Svc``: repository ``svc`` guarded with keep-2,
      ``protected_tags=["release-*"]``;
    * stage ``Dev`` (no environment), stack ``Tools``: ``tools`` guarded by name with keep-3.
    """
    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr

    from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    env = cdk.Environment(account=ASSEMBLY_ACCOUNT, region=ASSEMBLY_REGION)
    fleet = cdk.Stack(app, "Fleet", env=env)
    web = ecr.Repository(fleet, "Web", repository_name="web")
    GuardedLifecyclePolicy(
        fleet, "WebGuard", repository=web, rules=[LifecycleRuleSpec.keep_last(2)], max_expiring_images=10
    )
    GuardedLifecyclePolicy(
        fleet, "ApiGuard", repository_name="api", rules=[LifecycleRuleSpec.keep_last(1)], max_expiring_images=1
    )
    GuardedLifecyclePolicy(
        fleet, "BatchGuard", repository_name="batch", rules=[LifecycleRuleSpec.keep_last(2)], preview_only=True
    )
    unnamed = ecr.Repository(fleet, "Unnamed")
    GuardedLifecyclePolicy(fleet, "UnnamedGuard", repository=unnamed, rules=[LifecycleRuleSpec.keep_last(2)])
    ecr.Repository(fleet, "Plain", repository_name="plain", lifecycle_rules=[ecr.LifecycleRule(max_image_count=5)])
    prod = cdk.Stage(app, "Prod", env=env)
    svc_stack = cdk.Stack(prod, "Svc")
    svc = ecr.Repository(svc_stack, "Repo", repository_name="svc")
    GuardedLifecyclePolicy(
        svc_stack, "Guard", repository=svc, rules=[LifecycleRuleSpec.keep_last(2)], protected_tags=["release-*"]
    )
    dev = cdk.Stage(app, "Dev")
    tools = cdk.Stack(dev, "Tools")
    GuardedLifecyclePolicy(tools, "Guard", repository_name="tools", rules=[LifecycleRuleSpec.keep_last(3)])
    app.synth()
    return outdir
