"""Local stand-ins for AWS, for the tests and the demo (optional extra ``[local]``: moto, trustme, boto3).

* :class:`EcrStandIn` — moto's server on 127.0.0.1 with ECR's lifecycle-policy preview (answered by the
  project's engine), archive-aware policies, image extras, repository paging and tag limits, a
  CloudFormation stack whose status can be set, opt-in per-operation rate limits
  (:data:`ECR_RATE_LIMITS`, :class:`Rate`), fault injection for every service behind it (:class:`Faults`)
  and a record of calls (:class:`RecordedCall`). :class:`SeedImage` describes images to put into it.
* :class:`ResponseReceiver` — HTTPS stand-in for CloudFormation's pre-signed response URL.
* :func:`run_lambda` — invoke a Lambda asset's handler in a subprocess like the Python runtime does.

Nothing here is for production: it is intended only for local development and tests.

Examples
--------
>>> from ecr_lifecycle_guard.local import EcrStandIn, ResponseReceiver, SeedImage
>>> with EcrStandIn() as ecr, ResponseReceiver() as rx:
...     _ = ecr.create_repository("app", images=[SeedImage(tags=("v1",), pushed_days_ago=3)])
...     details = ecr.client("ecr").describe_images(repositoryName="app")["imageDetails"]
...     env = ecr.lambda_env(rx)  # what run_lambda gives the handler: the stand-in and the receiver
...     [d["imageTags"] for d in details], env["AWS_ENDPOINT_URL"] == ecr.endpoint_url
([['v1']], True)
"""

from __future__ import annotations

from ecr_lifecycle_guard.local.faults import Faults, RecordedCall
from ecr_lifecycle_guard.local.lambda_runner import LambdaRun, run_lambda
from ecr_lifecycle_guard.local.models import PreviewOutcome
from ecr_lifecycle_guard.local.rate_limits import ECR_RATE_LIMITS, Rate
from ecr_lifecycle_guard.local.receiver import FailMode, ResponseReceiver
from ecr_lifecycle_guard.local.seed import SeedImage
from ecr_lifecycle_guard.local.server import EcrStandIn

__all__ = [
    "ECR_RATE_LIMITS",
    "EcrStandIn",
    "FailMode",
    "Faults",
    "LambdaRun",
    "PreviewOutcome",
    "Rate",
    "RecordedCall",
    "ResponseReceiver",
    "SeedImage",
    "run_lambda",
]
