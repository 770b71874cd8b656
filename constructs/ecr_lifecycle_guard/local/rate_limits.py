"""Per-operation request-rate limits for the stand-in: a token bucket per (account, region, operation).

AWS throttles each API operation per account and Region with a token bucket: the bucket holds up to
``burst`` tokens, refills at ``per_second`` tokens a second, every request takes one, and a request that
finds it empty is refused with a throttling error (ECR: ``ThrottlingException``, HTTP 400) [1]_ [2]_.
:class:`RateLimiter` does the same; the stand-in enforces it only when asked
(``EcrStandIn(rate_limits=ECR_RATE_LIMITS)`` or ``stand_in.enable_rate_limits()``).

The figures of :data:`ECR_RATE_LIMITS`, and where they come from:

* **Published** — Amazon ECR's Service Quotas page lists request rates for image operations only
  (``BatchCheckLayerAvailability`` 1,000/s, ``BatchGetImage`` 2,000/s, ``CompleteLayerUpload`` 100/s,
  ``GetAuthorizationToken`` 500/s, ``GetDownloadUrlForLayer`` 3,000/s, ``InitiateLayerUpload`` 100/s,
  ``PutImage`` 10/s, ``UploadLayerPart`` 500/s) [3]_ (our spec §4.3). Since 2020 ECR publishes one rate per
  API instead of a rate and a burst [4]_, so the burst here is one second's worth of the rate.
* **Assumed** — no rate is published for the lifecycle-policy, preview, repository, image-listing or
  tagging operations (spec §4.3, §7 item 9). We use 20 requests/s with a burst of 20 for every other
  ECR operation (``ecr:*``): the order of the figures AWS does publish for control-plane APIs (ECR's own
  example of a bucket is 20/s sustained [1]_; ECS' cluster read operations refill at 20/s [2]_), and
  low enough that dozens of concurrent guards really get throttled.
* **Assumed** — CloudFormation publishes no API request rate (its quotas page lists stack and resource
  counts only). ``DescribeStacks``: 10 requests/s with a burst of 20.

Operations not in the table are never rate-limited. Keys are IAM action names, ``service:Operation``;
``service:*`` applies to the service's operations that have no key of their own.

.. [1] Amazon ECR User Guide, "Troubleshooting Amazon ECR error messages — HTTP 429: Too Many Requests
   or ThrottleException", https://docs.aws.amazon.com/AmazonECR/latest/userguide/common-errors.html
.. [2] Amazon ECS Developer Guide, "Request throttling for the Amazon ECS API",
   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/request-throttling.html
.. [3] Amazon ECR User Guide, "Amazon ECR service quotas",
   https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
.. [4] "Amazon ECR raises and simplifies image API quotas" (2020-02-19),
   https://aws.amazon.com/about-aws/whats-new/2020/02/ecr-raises-simplifies-image-api-quotas-start-new-workloads-quicker/

Examples
--------
>>> now = [0.0]
>>> limiter = RateLimiter({"ecr:PutImage": Rate(per_second=10, burst=2)}, clock=lambda: now[0])
>>> [limiter.take("123456789012", "us-east-1", "ecr:PutImage") for _ in range(3)]
[True, True, False]
>>> now[0] = 0.1  # a tenth of a second refills one token
>>> limiter.take("123456789012", "us-east-1", "ecr:PutImage"), limiter.take("123456789012", "us-east-1", "ecr:GetFoo")
(True, True)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = ["ASSUMED_CONTROL_PLANE_RATE", "ECR_RATE_LIMITS", "Rate", "RateLimiter"]


@dataclass(frozen=True)
class Rate:
    """A token bucket's figures: refill rate and capacity.

    Attributes
    ----------
    per_second
        Sustained requests per second (refill rate), > 0.
    burst
        Bucket capacity: requests allowed at once after a quiet spell, >= 1.
    source
        Where the figure comes from (``published: …`` or ``assumed: …``).
    """

    per_second: float
    burst: int
    source: str = "assumed"

    def __post_init__(self) -> None:
        if not self.per_second > 0:
            raise ValueError(f"Rate.per_second: must be > 0, got {self.per_second!r}")
        if self.burst < 1:
            raise ValueError(f"Rate.burst: must be >= 1, got {self.burst!r}")


_QUOTAS: Final = "published: Amazon ECR service quotas"


def _published(per_second: int) -> Rate:
    return Rate(per_second=per_second, burst=per_second, source=_QUOTAS)


#: The figure assumed for ECR operations without a published rate (lifecycle policy, preview, tagging …).
ASSUMED_CONTROL_PLANE_RATE: Final = Rate(per_second=20, burst=20, source="assumed: no published rate")

#: ECR's request rates (and CloudFormation ``DescribeStacks``'s) — see the module docstring for sources.
ECR_RATE_LIMITS: Final[Mapping[str, Rate]] = MappingProxyType(
    {
        "ecr:BatchCheckLayerAvailability": _published(1000),
        "ecr:BatchGetImage": _published(2000),
        "ecr:CompleteLayerUpload": _published(100),
        "ecr:GetAuthorizationToken": _published(500),
        "ecr:GetDownloadUrlForLayer": _published(3000),
        "ecr:InitiateLayerUpload": _published(100),
        "ecr:PutImage": _published(10),
        "ecr:UploadLayerPart": _published(500),
        # No published rate: the lifecycle and preview operations the guard calls, named for the record,
        # and every other ECR operation through "ecr:*".
        "ecr:GetLifecyclePolicy": ASSUMED_CONTROL_PLANE_RATE,
        "ecr:PutLifecyclePolicy": ASSUMED_CONTROL_PLANE_RATE,
        "ecr:DeleteLifecyclePolicy": ASSUMED_CONTROL_PLANE_RATE,
        "ecr:StartLifecyclePolicyPreview": ASSUMED_CONTROL_PLANE_RATE,
        "ecr:GetLifecyclePolicyPreview": ASSUMED_CONTROL_PLANE_RATE,
        "ecr:*": ASSUMED_CONTROL_PLANE_RATE,
        "cloudformation:DescribeStacks": Rate(per_second=10, burst=20, source="assumed: no published rate"),
    }
)


class RateLimiter:
    """Token buckets, one per (account, region, action), filled from a table of :class:`Rate`.

    Thread-safe. Buckets start full.

    Parameters
    ----------
    limits
        ``service:Operation`` (or ``service:*``) to its rate; actions without an entry are not limited.
    clock
        Monotonic seconds; injectable for tests.
    """

    def __init__(self, limits: Mapping[str, Rate], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = dict(limits)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}

    def rate_for(self, action: str) -> Rate | None:
        """The rate limiting ``action`` (``service:Operation``), if any.

        Examples
        --------
        >>> ECR_RATE_LIMITS["ecr:PutImage"].per_second, RateLimiter(ECR_RATE_LIMITS).rate_for("ecr:TagResource")
        (10, Rate(per_second=20, burst=20, source='assumed: no published rate'))
        """
        service = action.partition(":")[0]
        return self._limits.get(action) or self._limits.get(f"{service}:*")

    def take(self, account: str, region: str, action: str) -> bool:
        """Take a token for one request of ``action``; False when its bucket is empty (throttle it)."""
        rate = self.rate_for(action)
        if rate is None:
            return True
        key = (account, region, action)
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(key, (float(rate.burst), now))
            tokens = min(float(rate.burst), tokens + (now - then) * rate.per_second)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            return allowed
