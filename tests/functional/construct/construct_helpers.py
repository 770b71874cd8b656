"""Shared builders for the construct's template tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

REPO_ROOT = Path(__file__).resolve().parents[3]
GUARD_TYPE = "Custom::EcrLifecyclePolicy"
KEEP_FIVE = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
            "action": {"type": "expire"},
        }
    ]
}
KEEP_FIVE_TEXT = json.dumps(KEEP_FIVE, separators=(",", ":"))


def new_stack(name: str = "Stack", *, env: cdk.Environment | None = None) -> cdk.Stack:
    """A stack in a fresh app."""
    return cdk.Stack(cdk.App(), name, env=env)


def resources_of_type(template: Template, resource_type: str) -> dict[str, Any]:
    """Logical id -> resource, for one type."""
    return dict(template.find_resources(resource_type))


def guard_properties(template: Template, guard_path_fragment: str) -> dict[str, Any]:
    """The properties of the one guard whose logical id starts with ``guard_path_fragment``."""
    matches = [
        resource["Properties"]
        for logical_id, resource in resources_of_type(template, GUARD_TYPE).items()
        if logical_id.startswith(guard_path_fragment)
    ]
    assert len(matches) == 1, f"expected one guard {guard_path_fragment}, found {len(matches)}"
    properties: dict[str, Any] = matches[0]
    return properties


def ecr_statement(template: Template) -> dict[str, Any]:
    """The handler role's statement granting the ECR lifecycle actions."""
    (policy,) = resources_of_type(template, "AWS::IAM::Policy").values()
    statements = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if "ecr:PutLifecyclePolicy" in s["Action"]
    ]
    assert len(statements) == 1
    statement: dict[str, Any] = statements[0]
    return statement


# --- IAM documents as IAM measures them ------------------------------------------------------------

#: Longest renderings of the pseudo parameters (partition aws-us-gov; a region name longer than any today).
WORST_PSEUDO = {"AWS::Partition": "aws-us-gov", "AWS::Region": "r" * 16, "AWS::AccountId": "1" * 12}
INLINE_LIMIT = 10_240
MANAGED_LIMIT = 6_144


def worst_case(value: Any, resources: dict[str, Any], env: cdk.Environment | None = None) -> Any:
    """``value`` with every intrinsic rendered at its longest (a stack's known region/account as they are).

    ``Fn::GetAtt`` of a repository renders its ARN with its RepositoryName (256 characters when unnamed),
    of a log group its ARN with a 512-character name; ``AWS::StackId`` a 128-character stack name.
    """
    region = env.region if env is not None and env.region else WORST_PSEUDO["AWS::Region"]
    account = env.account if env is not None and env.account else WORST_PSEUDO["AWS::AccountId"]
    partition = WORST_PSEUDO["AWS::Partition"]
    if isinstance(value, list):
        return [worst_case(item, resources, env) for item in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        if value["Ref"] == "AWS::StackId":
            return f"arn:{partition}:cloudformation:{region}:{account}:stack/{'s' * 128}/{'u' * 36}"
        return WORST_PSEUDO[value["Ref"]]
    if "Fn::Join" in value:
        delimiter, items = value["Fn::Join"]
        return str(delimiter).join(str(worst_case(item, resources, env)) for item in items)
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        resource = resources[logical_id]
        assert attribute == "Arn", value
        if resource["Type"] == "AWS::ECR::Repository":
            name = resource["Properties"].get("RepositoryName", "n" * 256)
            return f"arn:{partition}:ecr:{region}:{account}:repository/{name}"
        assert resource["Type"] == "AWS::Logs::LogGroup", value
        return f"arn:{partition}:logs:{region}:{account}:log-group:{'g' * 512}:*"
    return {key: worst_case(item, resources, env) for key, item in value.items()}


def iam_chars(document: Any, resources: dict[str, Any], env: cdk.Environment | None = None) -> int:
    """Characters IAM counts for a policy document (JSON without whitespace), tokens at their longest."""
    return len(json.dumps(worst_case(document, resources, env), separators=(",", ":")))


def role_documents(template: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The handler role's inline policy documents and customer managed policy documents."""
    resources = template["Resources"]
    (role_id,) = [
        logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::IAM::Role" and logical_id.startswith("EcrLifecycleGuardProviderRole")
    ]
    attached = [
        resource
        for resource in resources.values()
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        and {"Ref": role_id} in resource["Properties"].get("Roles", [])
    ]
    inline = [r["Properties"]["PolicyDocument"] for r in attached if r["Type"] == "AWS::IAM::Policy"]
    managed = [r["Properties"]["PolicyDocument"] for r in attached if r["Type"] == "AWS::IAM::ManagedPolicy"]
    return inline, managed


def all_role_documents(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The handler role's inline and managed policy documents in one list."""
    inline, managed = role_documents(template)
    return [*inline, *managed]


def statements_with(documents: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    """The statements (of any of ``documents``) that allow ``action``."""
    return [
        statement
        for document in documents
        for statement in document["Statement"]
        if action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    ]


def resources_of(statements: list[dict[str, Any]]) -> list[Any]:
    """Every resource the statements name."""
    out: list[Any] = []
    for statement in statements:
        resource = statement["Resource"]
        out.extend(resource if isinstance(resource, list) else [resource])
    return out


def flatten_reference(value: Any) -> str:
    """A resource as cdk-nag's ``flattenCfnReference`` writes it in a finding (``<AWS::Partition>``...)."""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if "Fn::Join" in value:
        delimiter, items = value["Fn::Join"]
        return str(delimiter).join(flatten_reference(item) for item in items)
    if "Fn::GetAtt" in value:
        resource, attribute = value["Fn::GetAtt"]
        return f"<{resource}.{attribute}>"
    if "Ref" in value:
        return f"<{value['Ref']}>"
    return json.dumps(value, separators=(",", ":"))


def wildcard_findings(document: dict[str, Any]) -> set[str]:
    """The AwsSolutions-IAM5 findings cdk-nag raises for a policy document (its rule, re-derived)."""
    findings: set[str] = set()
    for statement in document["Statement"]:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        findings.update(f"AwsSolutions-IAM5[Action::{a}]" for a in actions if "*" in a)
        findings.update(
            f"AwsSolutions-IAM5[Resource::{flat}]"
            for flat in map(flatten_reference, resources_of([statement]))
            if "*" in flat
        )
    return findings


def acknowledged(scope: Any) -> dict[str, dict[str, str]]:
    """Construct path -> {acknowledged rule id (without its ``<pack>::``): reason}, from ``Validations.acknowledge``."""
    found: dict[str, dict[str, str]] = {}
    for construct in scope.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == "aws:cdk:acknowledged-rules":
                rules = {rule.split("::", 1)[-1]: reason for rule, reason in entry.data.items()}
                found.setdefault(construct.node.path, {}).update(rules)
    return found


def validation_violations(outdir: Path) -> list[dict[str, Any]]:
    """Every unacknowledged violation in the synthesized app's validation report."""
    report = json.loads((outdir / "validation-report.json").read_text())
    return [violation for plugin in report.get("pluginReports", []) for violation in plugin.get("violations", [])]


def cfn_lint(templates: list[Path]) -> subprocess.CompletedProcess[str]:
    """cfn-lint (this venv's) on the templates, with the repository's .cfnlintrc."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
