"""Rehearse a synthesized stack's ``Custom::EcrLifecyclePolicy`` resources against the local stand-in.

The rehearsal reads what ``cdk synth`` wrote (``manifest.json``, ``<Stack>.template.json`` and the
handler's asset folder), resolves the intrinsic functions in each guard's properties the way
CloudFormation would (``Ref``/``Fn::GetAtt`` to the stack's repository, ``Fn::Join``/``Fn::Sub`` with
pseudo parameters; every scalar becomes a string) and drives the real handler through
CloudFormation-shaped events in a Lambda-like subprocess: Create, Update, Update during
``UPDATE_ROLLBACK_IN_PROGRESS`` and Delete. Each step reports the response CloudFormation would have
received, the live policy afterwards and the handler's log lines.

Examples
--------
>>> import tempfile, aws_cdk as cdk
>>> from ecr_lifecycle_guard import GuardedLifecyclePolicy
>>> from ecr_lifecycle_guard.contract import POLICY_EXAMPLE
>>> from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver
>>> app = cdk.App(outdir=tempfile.mkdtemp())
>>> _ = GuardedLifecyclePolicy(cdk.Stack(app, "Example"), "Guard", repository_name="app", policy=POLICY_EXAMPLE)
>>> stack = load_synthesized_stack(app.synth().directory)
>>> with EcrStandIn() as ecr, ResponseReceiver() as receiver:
...     rehearsal = Rehearsal(stack, ecr, receiver)
...     guard = rehearsal.guards[0]
...     _ = ecr.create_repository(rehearsal.repository_name(guard))
...     [step.status for step in rehearsal.rehearse({guard: {"MaxExpiringImages": "0"}})]
['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecr_lifecycle_guard.local.assembly import (
    GUARD_RESOURCE_TYPE,
    RehearsalError,
    SynthesizedStack,
    load_synthesized_stack,
)
from ecr_lifecycle_guard.local.intrinsics import TemplateResolver
from ecr_lifecycle_guard.local.lambda_runner import run_lambda

if TYPE_CHECKING:  # pragma: no cover
    from ecr_lifecycle_guard.local.receiver import ResponseReceiver
    from ecr_lifecycle_guard.local.server import EcrStandIn

__all__ = [
    "GUARD_RESOURCE_TYPE",
    "Rehearsal",
    "RehearsalError",
    "StepResult",
    "SynthesizedStack",
    "load_synthesized_stack",
]

_DEFAULT_LAMBDA_TIMEOUT = 60.0
_DEFAULT_MEMORY_MB = 128


@dataclass(frozen=True)
class StepResult:
    """What one CloudFormation request to the guard's handler produced.

    Parameters
    ----------
    request_type
        ``Create``, ``Update`` or ``Delete``.
    logical_id
        The guard's logical id.
    rollback
        Whether the stack was in ``UPDATE_ROLLBACK_IN_PROGRESS`` (the rollback's Update).
    status
        ``SUCCESS`` or ``FAILED`` as sent to the response URL, or ``NO_RESPONSE``.
    reason
        The response's ``Reason`` (empty when none).
    physical_id
        The response's ``PhysicalResourceId``.
    data
        The response's ``Data`` (the guard's ``Fn::GetAtt`` attributes).
    live_policy
        The repository's lifecycle policy text after the step, ``None`` when it has none.
    log_lines
        What the handler wrote to its log (stdout and stderr).
    seconds
        Wall-clock time of the invocation.

    Examples
    --------
    >>> StepResult("Create", "Guard", False, "SUCCESS", "", "123456789012/app", {}, None, (), 1.0).succeeded
    True
    """

    request_type: str
    logical_id: str
    rollback: bool
    status: str
    reason: str
    physical_id: str | None
    data: Mapping[str, Any]
    live_policy: str | None
    log_lines: tuple[str, ...]
    seconds: float

    @property
    def succeeded(self) -> bool:
        """Whether the handler answered ``SUCCESS``."""
        return self.status == "SUCCESS"

    @property
    def label(self) -> str:
        """``Create``, ``Update``, ``Update (rollback)`` or ``Delete``."""
        return f"{self.request_type} (rollback)" if self.rollback else self.request_type


@dataclass
class _GuardState:
    properties: dict[str, Any]
    physical_id: str | None = None
    previous: dict[str, Any] | None = None
    attempted: dict[str, Any] | None = None


class Rehearsal:
    """Drive a synthesized stack's guards through CloudFormation's requests against the stand-in.

    The caller creates (and seeds) the repositories first; :meth:`repository_name` gives each guard's
    repository as CloudFormation would resolve it.

    Parameters
    ----------
    stack
        The synthesized stack (see :func:`load_synthesized_stack`).
    ecr
        A running :class:`~ecr_lifecycle_guard.local.EcrStandIn`; its account and region stand for the
        stack's, and it tracks the CloudFormation stack the handler inspects during a rollback.
    receiver
        A running :class:`~ecr_lifecycle_guard.local.ResponseReceiver` (CloudFormation's response URL).
    timeout_seconds
        Cap on each invocation; defaults to the function's ``Timeout`` in the template.

    Examples
    --------
    The module's example rehearses a guard whose repository is empty: create, an update with
    ``MaxExpiringImages`` 0 (nothing to expire, so it passes), the rollback and the delete all succeed.
    """

    def __init__(
        self,
        stack: SynthesizedStack,
        ecr: EcrStandIn,
        receiver: ResponseReceiver,
        *,
        timeout_seconds: float | None = None,
    ) -> None:
        self.stack = stack
        self._ecr = ecr
        self._receiver = receiver
        self._timeout = timeout_seconds
        self._stack_id = ecr.create_stack(stack.name)
        self._resolver = TemplateResolver(
            stack.template,
            stack_name=stack.name,
            stack_id=self._stack_id,
            region=ecr.region,
            account_id=ecr.account_id,
        )
        self._state = {lid: _GuardState(self._resolved_properties(lid)) for lid in stack.guards}

    @property
    def guards(self) -> tuple[str, ...]:
        """Logical ids of the stack's guards."""
        return self.stack.guards

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The guard's current properties as CloudFormation sends them (resolved, scalars as strings)."""
        return dict(self._guard(logical_id).properties)

    def repository_name(self, logical_id: str) -> str:
        """The repository the guard manages (its resolved ``RepositoryName``)."""
        return str(self._guard(logical_id).properties["RepositoryName"])

    def create(self, logical_id: str) -> StepResult:
        """Send ``Create`` with the template's properties."""
        state = self._guard(logical_id)
        result = self._invoke(logical_id, "Create", state.properties, stack_status="CREATE_IN_PROGRESS")
        state.physical_id = result.physical_id
        return result

    def update(self, logical_id: str, changes: Mapping[str, Any]) -> StepResult:
        """Send ``Update`` with the current properties changed by ``changes`` (``None`` removes a property).

        On success the changed properties become current; either way :meth:`rollback` goes back to the
        properties in force before this update.
        """
        state = self._guard(logical_id)
        desired = _apply_changes(state.properties, changes)
        result = self._invoke(
            logical_id, "Update", desired, old=state.properties, physical_id=state.physical_id,
            stack_status="UPDATE_IN_PROGRESS",
        )  # fmt: skip
        state.previous, state.attempted = state.properties, desired
        if result.succeeded:
            state.properties, state.physical_id = desired, result.physical_id
        return result

    def rollback(self, logical_id: str) -> StepResult:
        """Send the rollback's ``Update``: stack in ``UPDATE_ROLLBACK_IN_PROGRESS``, previous properties.

        Raises
        ------
        RehearsalError
            When no update was sent before.
        """
        state = self._guard(logical_id)
        if state.previous is None or state.attempted is None:
            raise RehearsalError(f"{logical_id}: nothing to roll back (send an update first)")
        result = self._invoke(
            logical_id, "Update", state.previous, old=state.attempted, physical_id=state.physical_id,
            stack_status="UPDATE_ROLLBACK_IN_PROGRESS", rollback=True,
        )  # fmt: skip
        self._ecr.set_stack_status(self._stack_id, "UPDATE_ROLLBACK_COMPLETE")
        if result.succeeded:
            state.properties, state.physical_id = state.previous, result.physical_id
        state.previous = state.attempted = None
        return result

    def delete(self, logical_id: str) -> StepResult:
        """Send ``Delete`` with the current properties and physical id."""
        state = self._guard(logical_id)
        return self._invoke(
            logical_id, "Delete", state.properties, physical_id=state.physical_id, stack_status="DELETE_IN_PROGRESS"
        )

    def rehearse(self, changes: Mapping[str, Mapping[str, Any]]) -> list[StepResult]:
        """Run Create, Update (with ``changes[guard]``), the rollback's Update and Delete for every guard.

        Parameters
        ----------
        changes
            Property changes per guard logical id; guards without an entry are updated with no change.

        Returns
        -------
        list[StepResult]
            Four results per guard, in template order.
        """
        results: list[StepResult] = []
        for guard in self.guards:
            results.append(self.create(guard))
            results.append(self.update(guard, changes.get(guard, {})))
            results.append(self.rollback(guard))
            results.append(self.delete(guard))
        return results

    def _guard(self, logical_id: str) -> _GuardState:
        try:
            return self._state[logical_id]
        except KeyError:
            known = ", ".join(self.guards) or "none"
            raise RehearsalError(f"{logical_id!r} is not a guard of {self.stack.name} (guards: {known})") from None

    def _resolved_properties(self, logical_id: str) -> dict[str, Any]:
        properties = self.stack.resources[logical_id].get("Properties", {})
        resolved = self._resolver.resolve(properties, where=f"{logical_id}.Properties")
        return dict(_as_cloudformation_strings(resolved))

    def _invoke(
        self,
        logical_id: str,
        request_type: str,
        properties: Mapping[str, Any],
        *,
        stack_status: str,
        old: Mapping[str, Any] | None = None,
        physical_id: str | None = None,
        rollback: bool = False,
    ) -> StepResult:
        function_id = self.stack.handler_function(logical_id)
        function = self.stack.resources[function_id].get("Properties", {})
        request_id = str(uuid.uuid4())
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": properties["ServiceToken"],
            "ResponseURL": self._receiver.url_for(request_id),
            "StackId": self._stack_id,
            "RequestId": request_id,
            "LogicalResourceId": logical_id,
            "ResourceType": GUARD_RESOURCE_TYPE,
            "ResourceProperties": dict(properties),
        }
        if old is not None:
            event["OldResourceProperties"] = dict(old)
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        env = {**self._function_env(function_id, function), **self._ecr.lambda_env(self._receiver)}
        timeout = self._timeout or float(function.get("Timeout", _DEFAULT_LAMBDA_TIMEOUT))
        self._ecr.set_stack_status(self._stack_id, stack_status)
        started = time.perf_counter()
        run = run_lambda(
            self.stack.asset_dir(function_id),
            event,
            env=env,
            timeout_seconds=timeout,
            memory_mb=int(function.get("MemorySize", _DEFAULT_MEMORY_MB)),
            function_name=self._resolver.physical_name(function_id),
            account_id=self._ecr.account_id,
        )
        seconds = time.perf_counter() - started
        responses = self._receiver.responses(request_id)
        response: Mapping[str, Any] = responses[-1] if responses else {}
        return StepResult(
            request_type=request_type,
            logical_id=logical_id,
            rollback=rollback,
            status=str(response.get("Status", "NO_RESPONSE")),
            reason=str(response.get("Reason") or ""),
            physical_id=response.get("PhysicalResourceId"),
            data=dict(response.get("Data") or {}),
            live_policy=self._live_policy(properties),
            log_lines=tuple(run.logs.splitlines()),
            seconds=seconds,
        )

    def _function_env(self, function_id: str, function: Mapping[str, Any]) -> dict[str, str]:
        variables = function.get("Environment", {}).get("Variables", {})
        resolved = self._resolver.resolve(variables, where=f"{function_id}.Environment.Variables")
        return {str(k): str(v) for k, v in _as_cloudformation_strings(resolved).items()}

    def _live_policy(self, properties: Mapping[str, Any]) -> str | None:
        client = self._ecr.client("ecr")
        request = {"repositoryName": str(properties["RepositoryName"])}
        if properties.get("RegistryId"):
            request["registryId"] = str(properties["RegistryId"])
        try:
            return str(client.get_lifecycle_policy(**request)["lifecyclePolicyText"])
        except client.exceptions.LifecyclePolicyNotFoundException:
            return None
        except client.exceptions.RepositoryNotFoundException:
            return None


def _apply_changes(properties: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(properties)
    for key, value in _as_cloudformation_strings(dict(changes), keep_none=True).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _as_cloudformation_strings(value: Mapping[str, Any], *, keep_none: bool = False) -> dict[str, Any]:
    """CloudFormation hands a custom resource every scalar as a string (booleans as ``true``/``false``)."""
    return {k: _stringify(v) for k, v in value.items() if keep_none or v is not None}


def _stringify(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return {k: _stringify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stringify(v) for v in value]
    return str(value)
