"""Read the guards and lifecycle policies of a synthesized cloud assembly (``cdk.out``).

``cdk synth`` writes ``manifest.json``, one template per stack and, for each CDK ``Stage``, a nested
assembly (an artifact of type ``cdk:cloud-assembly`` whose folder holds its own manifest). This
module walks all of them and lists, with the stack, logical id and construct path of each:

* every guard (``Custom::EcrLifecyclePolicy``): its repository name (a literal, or a ``Ref`` to an
  ``AWS::ECR::Repository`` with a literal ``RepositoryName``) and its properties parsed by the
  shared contract (:func:`ecr_lifecycle_guard.contract.parse_properties`, with the stack's account
  as the default registry when the stack has one), i.e. exactly what the next deploy sends;
* every lifecycle policy: the guards' ``LifecyclePolicyText`` and the
  ``LifecyclePolicy.LifecyclePolicyText`` of plain ``AWS::ECR::Repository`` resources.

Standard library only; it reads files, never calls AWS.

Examples
--------
>>> import json, tempfile
>>> from pathlib import Path
>>> from ecr_lifecycle_guard.contract import POLICY_EXAMPLE
>>> folder = Path(tempfile.mkdtemp())
>>> template = {"Resources": {
...     "Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "app"}},
...     "Guard": {"Type": "Custom::EcrLifecyclePolicy", "Properties": {
...         "RepositoryName": {"Ref": "Repo"}, "LifecyclePolicyText": POLICY_EXAMPLE, "MaxExpiringImages": "5"}}}}
>>> _ = (folder / "App.template.json").write_text(json.dumps(template))
>>> _ = (folder / "manifest.json").write_text(json.dumps({"artifacts": {"App": {
...     "type": "aws:cloudformation:stack", "environment": "aws://123456789012/eu-west-1",
...     "properties": {"templateFile": "App.template.json"}}}}))
>>> assembly = read_assembly(folder)
>>> (guard,) = assembly.guards()
>>> guard.repository_name, guard.registry_id, guard.properties.limits.max_expiring_images
('app', '123456789012', 5)
>>> [str(entry.location) for entry in assembly.lifecycle_policies()]
['App/Guard']
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from ecr_lifecycle_guard.contract import RESOURCE_TYPE, GuardProperties, parse_properties
from ecr_lifecycle_guard.errors import GuardError, PolicyValidationError, PropertiesError, PropertyError

__all__ = [
    "MAX_ASSEMBLY_FILE_BYTES",
    "AssemblyGuard",
    "AssemblyStack",
    "CloudAssembly",
    "CloudAssemblyError",
    "Location",
    "PolicyEntry",
    "read_assembly",
]

#: The largest manifest or template read (CloudFormation accepts templates of at most 1 MB).
MAX_ASSEMBLY_FILE_BYTES: Final = 16 * 1024 * 1024
#: Artifact types of a nested assembly (a CDK ``Stage``).
_NESTED_TYPES: Final = frozenset({"cdk:cloud-assembly", "nested-assembly"})
_STACK_TYPE: Final = "aws:cloudformation:stack"
_REPOSITORY_TYPE: Final = "AWS::ECR::Repository"
#: Deepest nesting of stages followed (CDK apps rarely nest more than two).
_MAX_DEPTH: Final = 16
_ENVIRONMENT: Final = re.compile(r"aws://(?P<account>[^/]*)/(?P<region>.*)")
_ACCOUNT: Final = re.compile(r"[0-9]{12}")
#: Stands in for a repository name the assembly does not know, so the other properties still get checked.
_PLACEHOLDER_NAME: Final = "unresolved-repository-name"
#: Stands in for the deploying account when the stack has none (env-agnostic stacks).
_PLACEHOLDER_ACCOUNT: Final = "000000000000"
_PATH_METADATA: Final = "aws:cdk:path"


class CloudAssemblyError(GuardError):
    """The cloud assembly cannot be read (missing or malformed manifest or template)."""


@dataclass(frozen=True)
class AssemblyStack:
    """One CloudFormation stack of the assembly (from any nesting level).

    Parameters
    ----------
    artifact_id
        The manifest's artifact id (unique within its assembly).
    stack_name
        The CloudFormation stack name the deploy uses.
    display_name
        The construct path CDK shows, e.g. ``Prod/Service`` for a stack in the stage ``Prod``.
    account, region
        The stack's environment; ``None`` for an environment-agnostic stack.
    template
        The parsed template.
    """

    artifact_id: str
    stack_name: str
    display_name: str
    account: str | None
    region: str | None
    template: Mapping[str, Any]

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        """The template's ``Resources`` (empty when there are none)."""
        resources = self.template.get("Resources")
        return resources if isinstance(resources, Mapping) else {}


@dataclass(frozen=True)
class Location:
    """Where a resource is: its stack, logical id and (when CDK recorded it) construct path.

    Examples
    --------
    >>> str(Location("Prod/Svc", "Guard64B60F0F", "Prod/Svc/Guard/Resource"))
    'Prod/Svc/Guard64B60F0F'
    """

    stack: str
    logical_id: str
    path: str | None = None

    def __str__(self) -> str:
        return f"{self.stack}/{self.logical_id}"


@dataclass(frozen=True)
class AssemblyGuard:
    """A guard (``Custom::EcrLifecyclePolicy``) and what its next deploy would send.

    Parameters
    ----------
    location
        Its stack, logical id and construct path.
    stack
        The stack it belongs to (its account and region say where the deploy goes).
    repository_name
        The repository; ``None`` when the assembly does not know it (see ``unresolved``).
    registry_id
        ``RegistryId``, else the stack's account; ``None`` when neither is known (the deploying account).
    properties
        The properties parsed by the contract; ``None`` when they have problems.
    problems
        What is wrong with the properties (each names its property), as the deploy would report it.
    unresolved
        Why the repository name is unknown (e.g. a repository whose name CloudFormation generates).
    repository_in_stack
        The name is a ``Ref`` to a repository of the same stack (the deploy creates it if it is missing).
    """

    location: Location
    stack: AssemblyStack
    repository_name: str | None
    registry_id: str | None
    properties: GuardProperties | None
    problems: tuple[PropertyError | PolicyValidationError, ...] = ()
    unresolved: str | None = None
    repository_in_stack: bool = False


@dataclass(frozen=True)
class PolicyEntry:
    """One lifecycle policy of the assembly.

    Parameters
    ----------
    location
        Where it is.
    kind
        ``guard`` (a ``LifecyclePolicyText`` property) or ``repository`` (a plain repository's
        ``LifecyclePolicy.LifecyclePolicyText``).
    repository_name
        The repository's literal name, when the template has one.
    policy_text
        The policy as written in the template: normally a string; anything else is a CloudFormation
        expression resolved only at deploy time.
    """

    location: Location
    kind: Literal["guard", "repository"]
    repository_name: str | None
    policy_text: object


@dataclass(frozen=True)
class CloudAssembly:
    """Every stack of a cloud assembly, nested stages included, in manifest order (depth first).

    Examples
    --------
    >>> CloudAssembly(Path("cdk.out"), ()).guards()
    ()
    """

    directory: Path
    stacks: tuple[AssemblyStack, ...]

    def guards(self) -> tuple[AssemblyGuard, ...]:
        """Every guard of every stack, with its properties parsed by the contract."""
        return tuple(_guard(stack, lid, res) for stack in self.stacks for lid, res in _of_type(stack, RESOURCE_TYPE))

    def lifecycle_policies(self) -> tuple[PolicyEntry, ...]:
        """Every lifecycle policy: each guard's and each plain repository's (in template order)."""
        entries: list[PolicyEntry] = []
        for stack in self.stacks:
            for logical_id, resource in stack.resources.items():
                entry = _policy_entry(stack, logical_id, resource)
                if entry is not None:
                    entries.append(entry)
        return tuple(entries)


def read_assembly(directory: str | Path) -> CloudAssembly:
    """Read the cloud assembly in ``directory`` (the folder ``cdk synth`` wrote, with ``manifest.json``).

    Raises
    ------
    CloudAssemblyError
        ``manifest.json`` or a template is missing, too large or not JSON; a nested assembly loops.
    """
    root = Path(directory)
    if not (root / "manifest.json").is_file():
        raise CloudAssemblyError(f"{root}: no manifest.json: not a cloud assembly (run cdk synth first)")
    return CloudAssembly(root, tuple(_stacks(root, depth=0, seen=set())))


def _stacks(folder: Path, *, depth: int, seen: set[Path]) -> Iterator[AssemblyStack]:
    resolved = folder.resolve()
    if depth > _MAX_DEPTH or resolved in seen:
        raise CloudAssemblyError(f"{folder}: nested assemblies loop or nest deeper than {_MAX_DEPTH} levels")
    seen.add(resolved)
    manifest = _read_json(folder / "manifest.json")
    artifacts = manifest.get("artifacts") if isinstance(manifest, Mapping) else None
    if not isinstance(artifacts, Mapping):
        return
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, Mapping):
            continue
        properties = artifact.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        if artifact.get("type") in _NESTED_TYPES and isinstance(properties.get("directoryName"), str):
            yield from _stacks(folder / properties["directoryName"], depth=depth + 1, seen=seen)
        elif artifact.get("type") == _STACK_TYPE and isinstance(properties.get("templateFile"), str):
            yield _stack(folder, str(artifact_id), artifact, properties)


def _stack(folder: Path, artifact_id: str, artifact: Mapping[str, Any], properties: Mapping[str, Any]) -> AssemblyStack:
    template = _read_json(folder / properties["templateFile"])
    if not isinstance(template, Mapping):
        raise CloudAssemblyError(f"{folder / properties['templateFile']}: a template must be a JSON object")
    account, region = _environment(artifact.get("environment"))
    return AssemblyStack(
        artifact_id=artifact_id,
        stack_name=str(properties.get("stackName") or artifact_id),
        display_name=str(artifact.get("displayName") or artifact_id),
        account=account,
        region=region,
        template=template,
    )


def _environment(value: object) -> tuple[str | None, str | None]:
    """``aws://<account>/<region>`` -> (account, region); ``unknown-*`` parts are ``None``."""
    match = _ENVIRONMENT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None, None
    account = match["account"] if _ACCOUNT.fullmatch(match["account"]) else None
    region = match["region"] if match["region"] and not match["region"].startswith("unknown-") else None
    return account, region


def _read_json(path: Path) -> Any:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_ASSEMBLY_FILE_BYTES + 1)
    except OSError as error:
        raise CloudAssemblyError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_ASSEMBLY_FILE_BYTES:
        raise CloudAssemblyError(f"{path}: larger than {MAX_ASSEMBLY_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise CloudAssemblyError(f"{path}: not valid JSON: {error}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _of_type(stack: AssemblyStack, resource_type: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for logical_id, resource in stack.resources.items():
        if isinstance(resource, Mapping) and resource.get("Type") == resource_type:
            yield str(logical_id), resource


def _location(stack: AssemblyStack, logical_id: str, resource: Mapping[str, Any]) -> Location:
    metadata = resource.get("Metadata")
    path = metadata.get(_PATH_METADATA) if isinstance(metadata, Mapping) else None
    return Location(stack.display_name, logical_id, path if isinstance(path, str) else None)


def _properties(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = resource.get("Properties")
    return properties if isinstance(properties, Mapping) else {}


def _literal_repository_name(stack: AssemblyStack, value: object) -> str | None:
    """A literal name, or the literal ``RepositoryName`` of the repository a ``Ref`` points to."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) == {"Ref"}:
        target = stack.resources.get(str(value["Ref"]))
        if isinstance(target, Mapping) and target.get("Type") == _REPOSITORY_TYPE:
            name = _properties(target).get("RepositoryName")
            return name if isinstance(name, str) else None
    return None


def _guard(stack: AssemblyStack, logical_id: str, resource: Mapping[str, Any]) -> AssemblyGuard:
    location = _location(stack, logical_id, resource)
    raw = dict(_properties(resource))
    name = _literal_repository_name(stack, raw.get("RepositoryName"))
    in_stack = name is not None and isinstance(raw.get("RepositoryName"), Mapping)
    unresolved = None
    if name is None and "RepositoryName" in raw:
        unresolved = (
            f"RepositoryName is {json.dumps(raw['RepositoryName'])}: the name is known only at deploy time"
            " (give the repository a literal repository_name to preview it)"
        )
        raw["RepositoryName"] = _PLACEHOLDER_NAME
    elif name is not None:
        raw["RepositoryName"] = name
    registry = raw.get("RegistryId")
    if registry == {"Ref": "AWS::AccountId"} and stack.account:
        raw["RegistryId"] = registry = stack.account
    try:
        properties = parse_properties(raw, default_registry_id=stack.account or _PLACEHOLDER_ACCOUNT)
    except PropertiesError as error:
        registry_id = _registry(registry, stack)
        return AssemblyGuard(location, stack, name, registry_id, None, error.problems, unresolved, in_stack)
    registry_id = properties.registry_id if (isinstance(registry, str) and registry) or stack.account else None
    return AssemblyGuard(location, stack, name, registry_id, properties, (), unresolved, in_stack)


def _registry(registry: object, stack: AssemblyStack) -> str | None:
    return registry if isinstance(registry, str) and registry else stack.account


def _policy_entry(stack: AssemblyStack, logical_id: str, resource: object) -> PolicyEntry | None:
    if not isinstance(resource, Mapping):
        return None
    properties = _properties(resource)
    if resource.get("Type") == RESOURCE_TYPE and "LifecyclePolicyText" in properties:
        name = _literal_repository_name(stack, properties.get("RepositoryName"))
        return PolicyEntry(
            _location(stack, str(logical_id), resource), "guard", name, properties["LifecyclePolicyText"]
        )
    if resource.get("Type") == _REPOSITORY_TYPE:
        policy = properties.get("LifecyclePolicy")
        if isinstance(policy, Mapping) and "LifecyclePolicyText" in policy:
            name = properties.get("RepositoryName")
            return PolicyEntry(
                _location(stack, str(logical_id), resource),
                "repository",
                name if isinstance(name, str) else None,
                policy["LifecyclePolicyText"],
            )
    return None
