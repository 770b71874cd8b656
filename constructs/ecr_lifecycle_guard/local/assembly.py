"""Read a cloud assembly (``cdk.out``): a stack's template, its guards and its Lambda asset folders.

What ``cdk synth`` (or ``App(outdir=...).synth()``) wrote is read back as CloudFormation would see it,
for the rehearsal: ``manifest.json`` names the stacks, ``<Stack>.template.json`` holds the resources
and the asset manifests (``<Stack>.assets.json``) map each function's code to its asset folder.

Examples
--------
>>> import tempfile, aws_cdk as cdk
>>> from ecr_lifecycle_guard import GuardedLifecyclePolicy
>>> from ecr_lifecycle_guard.contract import POLICY_EXAMPLE
>>> app = cdk.App(outdir=tempfile.mkdtemp())
>>> _ = GuardedLifecyclePolicy(cdk.Stack(app, "Example"), "Guard", repository_name="app", policy=POLICY_EXAMPLE)
>>> stack = load_synthesized_stack(app.synth().directory)
>>> stack.guards
('Guard64B60F0F',)
>>> stack.asset_dir(stack.handler_function("Guard64B60F0F")).name  # doctest: +ELLIPSIS
'asset...'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecr_lifecycle_guard.errors import GuardError

__all__ = ["GUARD_RESOURCE_TYPE", "RehearsalError", "SynthesizedStack", "load_synthesized_stack"]

#: The CloudFormation type of the guard's custom resource.
GUARD_RESOURCE_TYPE = "Custom::EcrLifecyclePolicy"

_ASSET_PATH_KEY = "aws:asset:path"


class RehearsalError(GuardError):
    """The synthesized output cannot be rehearsed (missing file, unknown resource, unresolvable value)."""


@dataclass(frozen=True)
class SynthesizedStack:
    """One stack of a cloud assembly (a ``cdk.out`` folder).

    Parameters
    ----------
    name
        The CloudFormation stack name.
    template
        The parsed ``<Stack>.template.json``.
    cdk_out
        The cloud assembly folder; asset paths are relative to it.
    assets
        Asset paths by S3 object key, from the assembly's asset manifests (``<Stack>.assets.json``).

    Examples
    --------
    >>> SynthesizedStack("Demo", {"Resources": {}}, Path("cdk.out")).guards
    ()
    """

    name: str
    template: Mapping[str, Any]
    cdk_out: Path
    assets: Mapping[str, str] = field(default_factory=dict)

    @property
    def resources(self) -> Mapping[str, Mapping[str, Any]]:
        """The template's ``Resources`` section."""
        resources: Mapping[str, Mapping[str, Any]] = self.template.get("Resources", {})
        return resources

    @property
    def guards(self) -> tuple[str, ...]:
        """Logical ids of the ``Custom::EcrLifecyclePolicy`` resources, in template order."""
        return tuple(lid for lid, res in self.resources.items() if res.get("Type") == GUARD_RESOURCE_TYPE)

    def handler_function(self, logical_id: str) -> str:
        """Return the logical id of the Lambda function behind a guard's ``ServiceToken``.

        Raises
        ------
        RehearsalError
            When the service token is not ``Fn::GetAtt`` of a function in this template.
        """
        token = self._resource(logical_id).get("Properties", {}).get("ServiceToken")
        target = str(token.get("Fn::GetAtt", [""])[0]) if isinstance(token, Mapping) else ""
        if self.resources.get(target, {}).get("Type") != "AWS::Lambda::Function":
            raise RehearsalError(f"{logical_id}: ServiceToken is not Fn::GetAtt of a Lambda function, got {token!r}")
        return target

    def asset_dir(self, function_id: str) -> Path:
        """Return the asset folder of a Lambda function.

        From its ``aws:asset:path`` metadata (written by the CDK CLI), else from the asset manifest entry
        of its ``Code.S3Key`` (an in-process ``App`` writes no asset metadata by default).

        Raises
        ------
        RehearsalError
            When the function's asset cannot be found or has no ``index.py``.
        """
        resource = self._resource(function_id)
        s3_key = resource.get("Properties", {}).get("Code", {}).get("S3Key")
        path = resource.get("Metadata", {}).get(_ASSET_PATH_KEY) or self.assets.get(str(s3_key))
        if not path:
            raise RehearsalError(f"{function_id}: no '{_ASSET_PATH_KEY}' metadata and no asset for S3Key {s3_key!r}")
        folder = self.cdk_out / str(path)
        if not (folder / "index.py").is_file():
            raise RehearsalError(f"{function_id}: asset folder {folder} has no index.py")
        return folder

    def _resource(self, logical_id: str) -> Mapping[str, Any]:
        try:
            return self.resources[logical_id]
        except KeyError:
            raise RehearsalError(f"the template of {self.name} has no resource {logical_id!r}") from None


def load_synthesized_stack(cdk_out: str | Path, stack_name: str | None = None) -> SynthesizedStack:
    """Read one stack of a cloud assembly written by ``cdk synth`` (or ``App(outdir=...).synth()``).

    Parameters
    ----------
    cdk_out
        The cloud assembly folder (holds ``manifest.json``).
    stack_name
        Which stack (CloudFormation stack name or artifact id); may be omitted when there is one stack
        with a guard.

    Returns
    -------
    SynthesizedStack
        The stack's name, parsed template and the assembly folder.

    Raises
    ------
    RehearsalError
        When the manifest is missing or the stack cannot be chosen.

    Examples
    --------
    >>> import tempfile, aws_cdk as cdk
    >>> app = cdk.App(outdir=tempfile.mkdtemp())
    >>> _ = [cdk.CfnOutput(cdk.Stack(app, name), "Out", value="x") for name in ("First", "Second")]
    >>> load_synthesized_stack(app.synth().directory, "Second").name
    'Second'
    """
    folder = Path(cdk_out)
    manifest_file = folder / "manifest.json"
    if not manifest_file.is_file():
        raise RehearsalError(f"{manifest_file} not found: run cdk synth first")
    artifacts = json.loads(manifest_file.read_text(encoding="utf-8")).get("artifacts", {})
    assets = _asset_paths(folder, artifacts)
    stacks: list[SynthesizedStack] = []
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        properties = artifact.get("properties", {})
        name = str(properties.get("stackName") or artifact.get("displayName") or artifact_id)
        if stack_name is not None and stack_name not in (name, artifact_id):
            continue
        template = json.loads((folder / properties["templateFile"]).read_text(encoding="utf-8"))
        stacks.append(SynthesizedStack(name, template, folder, assets))
    if stack_name is None:
        stacks = [s for s in stacks if s.guards] or stacks
    if len(stacks) != 1:
        found = ", ".join(s.name for s in stacks) or "none"
        wanted = f"stack {stack_name!r}" if stack_name else "exactly one stack with a guard"
        raise RehearsalError(f"{folder}: expected {wanted}, found {found}")
    return stacks[0]


def _asset_paths(folder: Path, artifacts: Mapping[str, Any]) -> dict[str, str]:
    """Asset source paths by S3 object key, from every asset manifest of the assembly."""
    paths: dict[str, str] = {}
    for artifact in artifacts.values():
        if artifact.get("type") != "cdk:asset-manifest":
            continue
        manifest = json.loads((folder / artifact["properties"]["file"]).read_text(encoding="utf-8"))
        for entry in manifest.get("files", {}).values():
            for destination in entry.get("destinations", {}).values():
                paths[str(destination.get("objectKey"))] = str(entry["source"]["path"])
    return paths
