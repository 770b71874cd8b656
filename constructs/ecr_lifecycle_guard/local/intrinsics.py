"""Resolve the CloudFormation intrinsic functions a synthesized CDK template uses, for the rehearsal.

Covers what CDK writes into a guard's properties and its function's environment: ``Ref`` (pseudo
parameters, parameters with a default, resources by their physical name), ``Fn::GetAtt`` (``Arn`` and
``RepositoryUri`` of the resource types a guard stack holds), ``Fn::Join``, ``Fn::Sub``,
``Fn::Select`` and ``Fn::Split``. Anything else is an error naming where it was met, never a guess.

Examples
--------
>>> template = {"Resources": {"Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "app"}}}}
>>> resolver = TemplateResolver(template, stack_name="Demo", stack_id="arn:stack", region="eu-west-1",
...                             account_id="123456789012")
>>> resolver.resolve({"Fn::GetAtt": ["Repo", "Arn"]}, where="example")
'arn:aws:ecr:eu-west-1:123456789012:repository/app'
>>> resolver.resolve({"Fn::Sub": "${AWS::Region}/${Repo}"}, where="example")
'eu-west-1/app'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ecr_lifecycle_guard.errors import GuardError

__all__ = ["IntrinsicError", "TemplateResolver"]

#: The property holding a resource's physical name, per type (``Ref`` returns it).
_NAME_PROPERTY = {
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
}

_ARN_FORMAT = {
    "AWS::ECR::Repository": "arn:{partition}:ecr:{region}:{account}:repository/{name}",
    "AWS::Lambda::Function": "arn:{partition}:lambda:{region}:{account}:function:{name}",
    "AWS::IAM::Role": "arn:{partition}:iam::{account}:role/{name}",
    "AWS::Logs::LogGroup": "arn:{partition}:logs:{region}:{account}:log-group:{name}:*",
}

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class IntrinsicError(GuardError):
    """A template value uses an intrinsic function (or target) the rehearsal cannot resolve."""


class _NoValue:
    """``Ref: AWS::NoValue``: the property is removed."""


_NO_VALUE = _NoValue()


class TemplateResolver:
    """Evaluate intrinsic functions against one template, as CloudFormation would for a fresh stack.

    Parameters
    ----------
    template
        The parsed CloudFormation template.
    stack_name, stack_id, region, account_id, partition, url_suffix
        The values of the matching ``AWS::*`` pseudo parameters.

    Examples
    --------
    >>> TemplateResolver({}, stack_name="S", stack_id="id", region="us-east-1",
    ...                  account_id="123456789012").resolve({"Ref": "AWS::Partition"}, where="x")
    'aws'
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        stack_name: str,
        stack_id: str,
        region: str,
        account_id: str,
        partition: str = "aws",
        url_suffix: str = "amazonaws.com",
    ) -> None:
        self._resources: Mapping[str, Mapping[str, Any]] = template.get("Resources", {})
        self._parameters: Mapping[str, Mapping[str, Any]] = template.get("Parameters", {})
        self._stack_name = stack_name
        self._pseudo = {
            "AWS::Partition": partition,
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
            "AWS::StackId": stack_id,
            "AWS::URLSuffix": url_suffix,
        }
        self._functions: dict[str, Callable[[Any, str], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Join": self._join,
            "Fn::Sub": self._sub,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
        }

    def resolve(self, value: Any, *, where: str) -> Any:
        """Return ``value`` with every intrinsic function evaluated (``AWS::NoValue`` entries removed).

        Parameters
        ----------
        value
            Any template value (scalar, list or mapping).
        where
            Where the value sits, for error messages (e.g. ``Guard.Properties``).

        Raises
        ------
        IntrinsicError
            For an unsupported function, an unknown resource or attribute, or a parameter without a default.
        """
        resolved = self._resolve(value, where)
        return None if resolved is _NO_VALUE else resolved

    def physical_name(self, logical_id: str, *, where: str = "template") -> str:
        """The name CloudFormation gives a resource: its name property, else one derived from the stack.

        Examples
        --------
        >>> template = {"Resources": {"Repo": {"Type": "AWS::ECR::Repository"}}}
        >>> TemplateResolver(template, stack_name="Demo", stack_id="id", region="us-east-1",
        ...                  account_id="123456789012").physical_name("Repo")
        'demo-repo'
        """
        resource = self._resource(logical_id, where)
        prop = _NAME_PROPERTY.get(str(resource.get("Type")))
        explicit = resource.get("Properties", {}).get(prop) if prop else None
        if explicit is not None:
            return str(self._resolve(explicit, f"{logical_id}.Properties.{prop}"))
        generated = f"{self._stack_name}-{logical_id}"
        return generated.lower() if resource.get("Type") == "AWS::ECR::Repository" else generated

    def _resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1:
                key, argument = next(iter(value.items()))
                if key in self._functions:
                    return self._functions[key](argument, f"{where}.{key}")
                if key.startswith("Fn::") or key == "Condition":
                    raise IntrinsicError(f"{where}: {key} is not supported by the rehearsal")
            resolved = {k: self._resolve(v, f"{where}.{k}") for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not _NO_VALUE}
        if isinstance(value, list):
            items = [self._resolve(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return [v for v in items if v is not _NO_VALUE]
        return value

    def _resource(self, logical_id: str, where: str) -> Mapping[str, Any]:
        if logical_id not in self._resources:
            raise IntrinsicError(f"{where}: the template has no resource {logical_id!r}")
        return self._resources[logical_id]

    def _ref(self, target: Any, where: str) -> Any:
        if target == "AWS::NoValue":
            return _NO_VALUE
        if target in self._pseudo:
            return self._pseudo[target]
        if target in self._parameters:
            if "Default" not in self._parameters[target]:
                raise IntrinsicError(f"{where}: parameter {target!r} has no default")
            return self._parameters[target]["Default"]
        return self.physical_name(str(target), where=where)

    def _get_att(self, argument: Any, where: str) -> str:
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        kind = str(self._resource(logical_id, where).get("Type"))
        name = self.physical_name(logical_id, where=where)
        if attribute == "Arn" and kind in _ARN_FORMAT:
            return _ARN_FORMAT[kind].format(
                partition=self._pseudo["AWS::Partition"],
                region=self._pseudo["AWS::Region"],
                account=self._pseudo["AWS::AccountId"],
                name=name,
            )
        if attribute == "RepositoryUri" and kind == "AWS::ECR::Repository":
            p = self._pseudo
            return f"{p['AWS::AccountId']}.dkr.ecr.{p['AWS::Region']}.{p['AWS::URLSuffix']}/{name}"
        raise IntrinsicError(f"{where}: attribute {attribute!r} of {kind} {logical_id!r} is not supported")

    def _join(self, argument: Any, where: str) -> str:
        delimiter, items = argument
        return str(delimiter).join(str(v) for v in self._resolve(items, where))

    def _sub(self, argument: Any, where: str) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        values = self._resolve(variables, where)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in values:
                return str(values[name])
            if "." in name:
                return self._get_att(name, where)
            return str(self._ref(name, where))

        return _SUB_VARIABLE.sub(replace, text)

    def _select(self, argument: Any, where: str) -> Any:
        index, items = argument
        return self._resolve(items, where)[int(self._resolve(index, where))]

    def _split(self, argument: Any, where: str) -> list[str]:
        delimiter, text = argument
        return str(self._resolve(text, where)).split(str(delimiter))
