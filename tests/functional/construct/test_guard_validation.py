"""Mistakes fail where they are made, naming the construct, the prop or rule/field, what is allowed and the value."""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from construct_helpers import GUARD_TYPE, KEEP_FIVE, new_stack

from ecr_lifecycle_guard import GuardedLifecyclePolicy, LifecycleRuleSpec, PolicyValidationError
from ecr_lifecycle_guard.errors import PropertyError

ONE_REPOSITORY = "must be exactly one of repository and repository_name"
COUNT = "an integer from 0 to 2147483647"
PERCENT = "a number from 0 to 100"


def test_a_second_guard_on_the_same_repository_is_refused_naming_both_guards() -> None:
    # given
    stack = new_stack()
    repository = ecr.Repository(stack, "Repo")
    GuardedLifecyclePolicy(stack, "First", repository=repository, policy=KEEP_FIVE)

    # when / then
    with pytest.raises(PropertyError) as raised:
        GuardedLifecyclePolicy(stack, "Second", repository=repository, policy=KEEP_FIVE)
    assert str(raised.value) == (
        "Stack/Second: repository: must be a repository no other GuardedLifecyclePolicy guards (Stack/First already "
        "guards it; two guards would overwrite each other's policy), got 'Stack/Repo'"
    )


def test_a_named_owned_repository_and_the_same_plain_name_count_as_one_repository() -> None:
    # given
    stack = new_stack()
    GuardedLifecyclePolicy(
        stack, "Owned", repository=ecr.Repository(stack, "Repo", repository_name="app"), policy=KEEP_FIVE
    )

    # when / then
    with pytest.raises(PropertyError, match=r"^Stack/ByName: repository: .*\(Stack/Owned already guards it;"):
        GuardedLifecyclePolicy(stack, "ByName", repository_name="app", policy=KEEP_FIVE)


def test_two_stacks_of_one_app_cannot_guard_the_same_repository() -> None:
    # given
    app = cdk.App()
    GuardedLifecyclePolicy(cdk.Stack(app, "One"), "Guard", repository_name="app", policy=KEEP_FIVE)

    # when / then
    with pytest.raises(PropertyError, match=r"^Two/Guard: repository: .*\(One/Guard already guards it;"):
        GuardedLifecyclePolicy(cdk.Stack(app, "Two"), "Guard", repository_name="app", policy=KEEP_FIVE)


def test_the_same_name_in_another_registry_is_another_repository() -> None:
    # given
    stack = new_stack()
    GuardedLifecyclePolicy(stack, "Mine", repository_name="app", policy=KEEP_FIVE)

    # when
    GuardedLifecyclePolicy(stack, "Theirs", repository_name="app", registry_id="222222222222", policy=KEEP_FIVE)

    # then
    Template.from_stack(stack).resource_count_is(GUARD_TYPE, 2)


@pytest.mark.parametrize("add_later", [False, True], ids=["lifecycle_rules prop", "add_lifecycle_rule later"])
def test_a_repository_that_also_has_lifecycle_rules_fails_synth(add_later: bool) -> None:
    # given
    app = cdk.App()
    stack = cdk.Stack(app, "Stack")
    rules = [] if add_later else [ecr.LifecycleRule(max_image_count=3)]
    repository = ecr.Repository(stack, "Repo", lifecycle_rules=rules)
    GuardedLifecyclePolicy(stack, "Guard", repository=repository, policy=KEEP_FIVE)
    if add_later:
        repository.add_lifecycle_rule(max_image_count=3)

    # when / then
    with pytest.raises(RuntimeError) as raised:
        app.synth()
    assert (
        "Stack/Repo has lifecycle_rules and is guarded by Stack/Guard: both put the repository's lifecycle policy and "
        "would overwrite each other; remove lifecycle_rules from the Repository (move them into the guard's rules=), "
        "exclude it from a GuardRepositories fleet, or remove the guard"
    ) in str(raised.value)


def test_a_repository_without_lifecycle_rules_synthesizes() -> None:
    # given
    app = cdk.App()
    stack = cdk.Stack(app, "Stack")
    GuardedLifecyclePolicy(stack, "Guard", repository=ecr.Repository(stack, "Repo"), policy=KEEP_FIVE)

    # when
    assembly = app.synth()

    # then
    assert assembly.get_stack_by_name("Stack").template["Resources"]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {},
            f"Stack/Guard: repository / repository_name: {ONE_REPOSITORY}, got 'neither'",
        ),
        (
            {"repository_name": "app", "repository": "set below"},
            f"Stack/Guard: repository / repository_name: {ONE_REPOSITORY}, got 'both'",
        ),
        (
            {"repository_name": "app", "policy": None},
            "Stack/Guard: rules / policy: must be exactly one of rules and policy, got 'neither'",
        ),
        (
            {"repository_name": "app", "rules": [LifecycleRuleSpec.keep_last(1)]},
            "Stack/Guard: rules / policy: must be exactly one of rules and policy, got 'both'",
        ),
    ],
    ids=["no repository", "two repositories", "no rules or policy", "rules and policy"],
)
def test_exactly_one_repository_and_exactly_one_of_rules_or_policy(props: dict[str, Any], message: str) -> None:
    # given
    stack = new_stack()
    if "repository" in props:
        props["repository"] = ecr.Repository(stack, "Repo")
    props.setdefault("policy", KEEP_FIVE)

    # when / then
    with pytest.raises(PropertyError) as raised:
        GuardedLifecyclePolicy(stack, "Guard", **props)
    assert str(raised.value) == message


def test_an_invalid_typed_rule_fails_naming_the_rule_and_field() -> None:
    # given
    stack = new_stack()

    # when / then
    with pytest.raises(PolicyValidationError) as raised:
        GuardedLifecyclePolicy(
            stack,
            "Guard",
            repository_name="app",
            rules=[LifecycleRuleSpec.keep_last(3), LifecycleRuleSpec.keep_last(0, tag_patterns=["v*"])],
        )
    assert str(raised.value).startswith(
        "invalid lifecycle policy in Stack/Guard rules: rule 2 (priority 1): selection.countNumber:"
    )
    assert raised.value.issues[0].check == "V11"


def test_an_invalid_raw_policy_fails_naming_the_rule_and_field() -> None:
    # given
    stack = new_stack()
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countNumber": 3},
                "action": {"type": "expire"},
            }
        ]
    }

    # when / then
    with pytest.raises(
        PolicyValidationError,
        match=r"^invalid lifecycle policy in Stack/Guard policy: rule 1 \(priority 1\): selection.countUnit: .*\[V10\]",
    ):
        GuardedLifecyclePolicy(stack, "Guard", repository_name="app", policy=policy)


def test_policy_text_that_is_not_json_fails_synth() -> None:
    # when / then
    with pytest.raises(
        PolicyValidationError, match=r"^invalid lifecycle policy in Stack/Guard policy: policy: not valid JSON"
    ):
        GuardedLifecyclePolicy(new_stack(), "Guard", repository_name="app", policy="{rules: [")


def test_a_cdk_rule_with_both_count_and_age_is_refused() -> None:
    # given
    rule = ecr.LifecycleRule(max_image_count=3, max_image_age=cdk.Duration.days(3))

    # when / then
    with pytest.raises(
        PropertyError,
        match=r"^Stack/Guard: rules\[0\]: must be an aws_ecr.LifecycleRule with exactly one of max_image_count and ",
    ):
        GuardedLifecyclePolicy(new_stack(), "Guard", repository_name="app", rules=[rule])


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"max_expiring_images": -1}, f"Stack/Guard: max_expiring_images: must be {COUNT}, got -1"),
        ({"max_expiring_images": True}, f"Stack/Guard: max_expiring_images: must be {COUNT}, got True"),
        ({"max_transitioning_images": 1.5}, f"Stack/Guard: max_transitioning_images: must be {COUNT}, got 1.5"),
        ({"max_expiring_images": float("nan")}, f"Stack/Guard: max_expiring_images: must be {COUNT}, got nan"),
        (
            {"max_transitioning_images": float("inf")},
            f"Stack/Guard: max_transitioning_images: must be {COUNT}, got inf",
        ),
        (
            {"max_expiring_percent": float("nan")},
            f"Stack/Guard: max_expiring_percent: must be {PERCENT}, got nan",
        ),
        ({"max_expiring_percent": 150}, "Stack/Guard: max_expiring_percent: must be a number from 0 to 100, got 150"),
        (
            {"protected_tags": "latest"},
            "Stack/Guard: protected_tags: must be a list of at most 100 tag patterns (or its JSON text), got 'latest'",
        ),
        (
            {"protected_tags": ["ok", ""]},
            "Stack/Guard: protected_tags[1]: must be a tag pattern of 1 to 300 characters, got ''",
        ),
        (
            {"preview_timeout": cdk.Duration.seconds(10)},
            "Stack/Guard: preview_timeout: must be whole seconds from 30 to 840, got '10 seconds'",
        ),
        (
            {"preview_timeout": cdk.Duration.minutes(20)},
            "Stack/Guard: preview_timeout: must be whole seconds from 30 to 840, got '20 minutes'",
        ),
        (
            {"removal_policy": cdk.RemovalPolicy.SNAPSHOT},
            "Stack/Guard: removal_policy: must be RemovalPolicy.DESTROY or RETAIN, got 'SNAPSHOT'",
        ),
        ({"registry_id": "12345"}, "Stack/Guard: registry_id: must be a 12-digit AWS account id, got '12345'"),
        (
            {"repository_name": "My_Repo"},
            "Stack/Guard: repository_name: must be an ECR repository name (2-256 of a-z 0-9 . _ - /, e.g. team/app), "
            "got 'My_Repo'",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None,
)
def test_bad_props_are_refused_with_the_prop_the_allowed_values_and_the_value(
    props: dict[str, Any], message: str
) -> None:
    # given
    props = {"repository_name": "app", "policy": KEEP_FIVE} | props

    # when / then
    with pytest.raises(PropertyError) as raised:
        GuardedLifecyclePolicy(new_stack(), "Guard", **props)
    assert str(raised.value) == message


def test_registry_id_belongs_to_repository_name_only() -> None:
    # given
    stack = new_stack()

    # when / then
    with pytest.raises(
        PropertyError, match=r"^Stack/Guard: registry_id: must be set only with repository_name, got '111111111111'$"
    ):
        GuardedLifecyclePolicy(
            stack, "Guard", repository=ecr.Repository(stack, "Repo"), registry_id="111111111111", policy=KEEP_FIVE
        )


def test_guards_of_one_stack_must_agree_on_the_shared_function_runtime() -> None:
    # given
    stack = new_stack()
    GuardedLifecyclePolicy(stack, "First", repository_name="one", policy=KEEP_FIVE)

    # when / then
    with pytest.raises(PropertyError) as raised:
        GuardedLifecyclePolicy(
            stack, "Second", repository_name="two", policy=KEEP_FIVE, runtime=lambda_.Runtime.PYTHON_3_12
        )
    assert str(raised.value) == (
        "Stack/Second: runtime: must be 'python3.14' (guards in a stack share one handler function, "
        "set up by Stack/First), got 'python3.12'"
    )


def test_unresolved_limits_are_left_to_cloudformation() -> None:
    # given
    stack = new_stack()
    limit = cdk.CfnParameter(stack, "Limit", type="Number").value_as_number

    # when
    GuardedLifecyclePolicy(stack, "Guard", repository_name="app", policy=KEEP_FIVE, max_expiring_images=int(limit))

    # then
    properties = next(iter(Template.from_stack(stack).find_resources(GUARD_TYPE).values()))["Properties"]
    assert properties["MaxExpiringImages"] == {"Ref": "Limit"}
    assert re.fullmatch(r"\d+", properties["PreviewTimeoutSeconds"])
