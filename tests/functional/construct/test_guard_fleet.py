"""One line for a fleet: every aws_ecr.Repository in a scope plus names given, one standard policy, overrides
and exclusions; as a construct or as a plain Aspect, with aws-cdk-lib's aspect ordering (both modes)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from construct_helpers import GUARD_TYPE, KEEP_FIVE

from ecr_lifecycle_guard import GuardedLifecyclePolicy, GuardRepositories, LifecycleRuleSpec, RepositoryGuardAspect
from ecr_lifecycle_guard.engine import canonical_policy_text
from ecr_lifecycle_guard.errors import PropertyError

STANDARD = (LifecycleRuleSpec.keep_last(100),)
STANDARD_TEXT = canonical_policy_text({"rules": [LifecycleRuleSpec.keep_last(100).to_policy_rule(1)]})
STABILIZATION = "@aws-cdk/core:aspectStabilization"


def _guards_by_repository(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Repository name (the logical id of an unnamed owned one) -> the guard's properties."""
    resources = template["Resources"]
    out: dict[str, dict[str, Any]] = {}
    for resource in resources.values():
        if resource["Type"] == GUARD_TYPE:
            name = resource["Properties"]["RepositoryName"]
            if isinstance(name, dict):
                name = resources[name["Ref"]].get("Properties", {}).get("RepositoryName", name["Ref"])
            out[name] = resource["Properties"]
    return out


@pytest.fixture(scope="module")
def fleet_template() -> dict[str, Any]:
    stack = cdk.Stack(cdk.App(context={STABILIZATION: True}), "Images")
    for name in ("platform/api", "platform/web", "platform/search", "platform/scratch", "platform/own"):
        ecr.Repository(stack, name.split("/")[1].capitalize(), repository_name=name)
    unnamed = ecr.Repository(stack, "Unnamed")
    GuardedLifecyclePolicy(  # an explicit guard keeps its repository
        stack,
        "OwnGuard",
        repository=stack.node.find_child("Own"),
        policy=KEEP_FIVE,  # type: ignore[arg-type]
    )
    GuardRepositories(
        stack,
        "Fleet",
        rules=STANDARD,
        max_expiring_percent=20,
        protected_tags=["release-*"],
        repository_names=["platform/base-images", "platform/skip-me"],
        overrides={
            "platform/web": {"max_expiring_percent": 50, "preview_only": True},
            "platform/search": {"policy": KEEP_FIVE},
            unnamed.node.path: {"max_expiring_images": 7},
        },
        exclude=["platform/scratch", "platform/skip-me"],
    )
    return dict(Template.from_stack(stack).to_json())


def test_every_repository_in_scope_and_every_name_given_is_guarded_except_the_excluded(
    fleet_template: dict[str, Any],
) -> None:
    # when
    guards = _guards_by_repository(fleet_template)

    # then
    unnamed = next(n for n in guards if not n.startswith("platform/"))
    assert sorted(guards) == sorted(
        ["platform/api", "platform/web", "platform/search", "platform/own", "platform/base-images", unnamed]
    )


def test_the_standard_policy_and_limits_apply_unless_overridden(fleet_template: dict[str, Any]) -> None:
    # when
    guards = _guards_by_repository(fleet_template)

    # then
    api, web, base = guards["platform/api"], guards["platform/web"], guards["platform/base-images"]
    assert (api["LifecyclePolicyText"], api["MaxExpiringPercent"], api["ProtectedTags"]) == (
        STANDARD_TEXT,
        "20",
        ["release-*"],
    )
    assert (base["LifecyclePolicyText"], base["PreviewOnly"]) == (STANDARD_TEXT, "false")
    assert (web["MaxExpiringPercent"], web["PreviewOnly"], web["LifecyclePolicyText"]) == ("50", "true", STANDARD_TEXT)


def test_an_override_with_a_policy_replaces_the_standard_rules(fleet_template: dict[str, Any]) -> None:
    # then
    search = _guards_by_repository(fleet_template)["platform/search"]
    assert (search["LifecyclePolicyText"], search["MaxExpiringPercent"]) == (canonical_policy_text(KEEP_FIVE), "20")


def test_an_override_can_name_a_repository_by_its_construct_path(fleet_template: dict[str, Any]) -> None:
    # when
    guards = _guards_by_repository(fleet_template)

    # then
    (unnamed,) = [properties for name, properties in guards.items() if not name.startswith("platform/")]
    assert unnamed["MaxExpiringImages"] == "7"


def test_a_repository_with_its_own_guard_keeps_it(fleet_template: dict[str, Any]) -> None:
    # then
    own = _guards_by_repository(fleet_template)["platform/own"]
    assert own["LifecyclePolicyText"] == canonical_policy_text(KEEP_FIVE)
    assert "MaxExpiringPercent" not in own


def test_a_fleet_has_one_function(fleet_template: dict[str, Any]) -> None:
    # then
    assert [r["Type"] for r in fleet_template["Resources"].values()].count("AWS::Lambda::Function") == 1


@pytest.mark.parametrize("stabilization", [True, False], ids=["stabilizing aspects", "legacy aspects"])
def test_the_plain_aspect_works_with_tags_and_a_permissions_boundary_in_either_aspect_mode(stabilization: bool) -> None:
    # given
    app = cdk.App(context={STABILIZATION: stabilization})
    stack = cdk.Stack(app, "Images")
    for name in ("one", "two"):
        ecr.Repository(stack, name.capitalize(), repository_name=name)
    cdk.Tags.of(app).add("team", "platform")
    boundary = iam.ManagedPolicy.from_managed_policy_arn(stack, "Boundary", "arn:aws:iam::1:policy/b")
    iam.PermissionsBoundary.of(app).apply(boundary)

    # when
    cdk.Aspects.of(app).add(RepositoryGuardAspect(rules=STANDARD, overrides={"two": {"max_expiring_images": 3}}))

    # then
    template = Template.from_stack(stack)
    guards = _guards_by_repository(template.to_json())
    assert (sorted(guards), guards["two"]["MaxExpiringImages"]) == (["one", "two"], "3")
    template.has_resource_properties(
        "AWS::IAM::Role",
        {"PermissionsBoundary": "arn:aws:iam::1:policy/b", "Tags": [{"Key": "team", "Value": "platform"}]},
    )
    template.has_resource_properties("AWS::Lambda::Function", {"Tags": [{"Key": "team", "Value": "platform"}]})


def test_an_aspect_on_a_stage_gives_each_stack_its_own_function() -> None:
    # given
    app = cdk.App(context={STABILIZATION: True})
    stage = cdk.Stage(app, "Prod")
    stacks = [cdk.Stack(stage, name) for name in ("Teams", "Shared")]
    for stack in stacks:
        ecr.Repository(stack, "Images", repository_name=f"{stack.stack_name.lower()}/images")

    # when
    cdk.Aspects.of(stage).add(RepositoryGuardAspect(rules=STANDARD), priority=cdk.AspectPriority.MUTATING)

    # then
    for stack in stacks:
        template = Template.from_stack(stack)
        template.resource_count_is(GUARD_TYPE, 1)
        template.resource_count_is("AWS::Lambda::Function", 1)


def test_an_override_that_matches_no_repository_fails_synth_naming_the_key() -> None:
    # given
    app = cdk.App()
    stack = cdk.Stack(app, "Images")
    ecr.Repository(stack, "Api", repository_name="platform/api")
    GuardRepositories(stack, "Fleet", rules=STANDARD, overrides={"platform/apl": {"max_expiring_images": 1}})

    # when / then
    with pytest.raises(RuntimeError) as raised:
        app.synth()
    assert (
        "Images/Fleet: overrides/exclude key 'platform/apl' matches no repository in the scope (expected a "
        "repository name or construct path)"
    ) in str(raised.value)


def test_a_prop_that_is_not_a_guard_prop_is_refused_at_once() -> None:
    # when / then
    with pytest.raises(PropertyError, match=r"^RepositoryGuardAspect: must be GuardedLifecyclePolicy props \("):
        RepositoryGuardAspect(rules=STANDARD, max_expiring=3)
    with pytest.raises(PropertyError, match=r"^RepositoryGuardAspect overrides\['x'\]: must be GuardedLifecyclePolicy"):
        RepositoryGuardAspect(rules=STANDARD, overrides={"x": {"repository_name": "y"}})
