"""One mapping from AWS SDK errors to short messages, for the handler and the command line alike.

botocore is not imported (the module ships in the Lambda asset beside the engine and is used by the
command line, which imports boto3 lazily): errors are recognised by their ``response`` and by their
class names. Every AWS error becomes :class:`~ecr_lifecycle_guard.errors.EcrCallError` with the
operation, the AWS error code and AWS's own message, so a reason never stops before the part that
says what is wrong.

Examples
--------
>>> class ClientError(Exception):  # what botocore raises, reduced to what is read here
...     def __init__(self):
...         self.response = {"Error": {"Code": "InvalidParameterException", "Message": "Invalid parameter at 'rules'"}}
...         self.operation_name = "StartLifecyclePolicyPreview"
>>> str(as_call_error(ClientError()))
"StartLifecyclePolicyPreview failed: InvalidParameterException: Invalid parameter at 'rules'"
>>> describe_error(ValueError("odd"))
'unexpected ValueError: odd'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ecr_lifecycle_guard.errors import EcrCallError, GuardError

__all__ = ["THROTTLING_CODES", "as_call_error", "aws_error_code", "describe_error"]

#: AWS error codes that mean "slow down and try again".
THROTTLING_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServerException",
        "ServiceUnavailable",
        "InternalFailure",
    }
)

_NO_CREDENTIALS: Final = (
    "no AWS credentials found: configure them (aws configure, --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID/"
    "AWS_SECRET_ACCESS_KEY)"
)
#: botocore's connection-level errors, by class name: (code, what it means).
_CONNECTION_ERRORS: Final = {
    "EndpointConnectionError": "cannot reach the endpoint",
    "ConnectTimeoutError": "connecting timed out",
    "ReadTimeoutError": "no answer in time",
    "ConnectionClosedError": "the connection was closed",
    "ProxyConnectionError": "cannot reach the proxy",
}


def aws_error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError``; ``None`` for any other exception.

    Examples
    --------
    >>> aws_error_code(RuntimeError("x")) is None
    True
    """
    response = getattr(error, "response", None)
    if isinstance(response, Mapping):
        details = response.get("Error")
        if isinstance(details, Mapping) and details.get("Code") is not None:
            return str(details["Code"])
    return None


def as_call_error(error: BaseException, operation: str | None = None) -> EcrCallError | None:
    """The :class:`EcrCallError` for an AWS SDK error (service or connection); ``None`` for others.

    Parameters
    ----------
    error
        What the SDK raised.
    operation
        The operation, when the error does not carry it (connection errors do not).
    """
    if isinstance(error, EcrCallError):
        return error
    code = aws_error_code(error)
    name = operation or str(getattr(error, "operation_name", "") or "AWS call")
    if code is not None:
        response = getattr(error, "response", {})
        message = str((response.get("Error") or {}).get("Message", "")).strip()
        return EcrCallError(name, code, message or "(no message)")
    class_names = {cls.__name__ for cls in type(error).__mro__}
    for class_name, meaning in _CONNECTION_ERRORS.items():
        if class_name in class_names:
            return EcrCallError(name, class_name, f"{meaning}: {error}")
    return None


def describe_error(error: BaseException) -> str:
    """One line saying what went wrong, for any failure around an AWS call.

    Examples
    --------
    >>> describe_error(EcrCallError("GetLifecyclePolicy", "AccessDeniedException", "not authorized"))
    'GetLifecyclePolicy failed: AccessDeniedException: not authorized'
    """
    class_names = {cls.__name__ for cls in type(error).__mro__}
    if "NoCredentialsError" in class_names or "PartialCredentialsError" in class_names:
        return _NO_CREDENTIALS
    if "NoRegionError" in class_names:
        return "no AWS Region: pass --region or set AWS_REGION"
    call_error = as_call_error(error)
    if call_error is not None:
        return " ".join(str(call_error).split())
    if isinstance(error, GuardError):
        return " ".join(str(error).split())
    if "BotoCoreError" in class_names:
        return " ".join(str(error).split())
    return f"unexpected {type(error).__name__}: {' '.join(str(error).split())}"
