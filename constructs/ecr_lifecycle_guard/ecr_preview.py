"""Run Amazon ECR's lifecycle-policy preview through a boto3 ECR client and collect its figures.

ECR runs one preview per repository and has no preview id, so :func:`run_preview` starts a preview,
waits out (or adopts) one already running, polls with short intervals until ``COMPLETE``, starts again
when the preview ``EXPIRED`` or was replaced by another policy's preview, and reads every result page.
Everything is bounded by an absolute ``deadline`` on an injected clock. boto3 is not imported: the
caller passes its client (the Lambda handler and the command line build their own).

Examples
--------
>>> import time
>>> from ecr_lifecycle_guard.contract import POLICY_EXAMPLE
>>> class InstantEcr:  # an in-memory ECR that finishes every preview at once and expires nothing
...     def start_lifecycle_policy_preview(self, **request):
...         self.text = request["lifecyclePolicyText"]
...     def get_lifecycle_policy_preview(self, **request):
...         return {"status": "COMPLETE", "lifecyclePolicyText": self.text, "previewResults": [],
...                 "summary": {"expiringImageTotalCount": 0}}
>>> figures = run_preview(InstantEcr(), repository="app", registry_id=None, policy_text=POLICY_EXAMPLE,
...                       deadline=time.monotonic() + 5, clock=time.monotonic, sleep=lambda seconds: None)
>>> figures.expiring, figures.status, figures.summary
(0, 'COMPLETE', {'expiringImageTotalCount': 0})
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ecr_lifecycle_guard.aws_errors import THROTTLING_CODES, aws_error_code
from ecr_lifecycle_guard.engine import parse_policy, policies_equivalent, storage_class_of
from ecr_lifecycle_guard.errors import PreviewFailedError, PreviewTimeoutError
from ecr_lifecycle_guard.gate import PreviewFigures, PreviewResult

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_ecr import ECRClient

__all__ = ["DEFAULT_POLL_INTERVAL", "PREVIEW_PAGE_SIZE", "run_preview"]

logger = logging.getLogger(__name__)

#: Seconds between two ``GetLifecyclePolicyPreview`` polls while the preview is in progress.
DEFAULT_POLL_INTERVAL = 0.5
#: The largest page ``GetLifecyclePolicyPreview`` returns (botocore model: 1 to 100).
PREVIEW_PAGE_SIZE = 100
#: The largest page ``DescribeImages`` returns.
_IMAGES_PAGE_SIZE = 1000
#: Back-off while another preview of the repository runs or a call is throttled: first and largest wait.
_BACKOFF_FIRST = 0.2
_BACKOFF_MAX = 1.0

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Progress = Callable[[str], None]


def run_preview(
    client: ECRClient,
    *,
    repository: str,
    registry_id: str | None,
    policy_text: str,
    deadline: float,
    clock: Clock,
    sleep: Sleep,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    count_visible: bool = False,
    progress: Progress | None = None,
) -> PreviewFigures:
    """Preview ``policy_text`` on ``repository`` with ECR and return the figures the gate needs.

    Parameters
    ----------
    client
        A boto3 ECR client (anything with the same three methods).
    repository, registry_id
        The repository; ``registry_id`` ``None`` means the caller's account.
    policy_text
        The (valid) policy to preview.
    deadline
        Absolute time on ``clock`` by which a result must be in hand.
    clock, sleep
        ``time.monotonic`` and ``time.sleep`` in production; injected for tests.
    poll_interval
        Seconds between polls while the preview is in progress.
    count_visible
        Also count, with ``DescribeImages`` (``imageStatus`` ``ANY``), the images in the storage classes
        the policy has rules for (needed by ``MaxExpiringPercent`` and the expire-all guard). Skipped
        when the preview expires nothing (``visible_images`` is then ``None``: both checks pass).
    progress
        Called with a short message at each step (the command line shows it).

    Returns
    -------
    PreviewFigures
        Summary counts and every result page of the preview of exactly ``policy_text``.

    Raises
    ------
    PreviewFailedError
        ECR reported the preview of this policy as ``FAILED``.
    PreviewTimeoutError
        No complete preview of this policy before ``deadline``.
    Exception
        Any other error of the client (``RepositoryNotFoundException``, ``InvalidParameterException``,
        ``AccessDeniedException``, …) is raised as the client raised it.
    """
    run = _PreviewRun(client, repository, registry_id, policy_text, deadline, clock, sleep, poll_interval, progress)
    page, results = run.complete_preview()
    summary = page.get("summary") or {}
    # A summary without a count is not "nothing expires": count the listed images instead (fail closed).
    listed_expiring = sum(1 for r in results if r.action != "TRANSITION")
    expiring = int(summary.get("expiringImageTotalCount", listed_expiring))
    # Both checks that need the count pass when nothing expires: skip DescribeImages then.
    visible = run.count_visible_images() if count_visible and expiring > 0 else None
    counts = summary.get("transitioningImageTotalCounts")
    transitioning = (
        sum(int(t.get("imageTotalCount", 0)) for t in counts)
        if counts is not None
        else sum(1 for r in results if r.action == "TRANSITION")
    )
    figures = PreviewFigures(
        expiring=expiring,
        transitioning=transitioning,
        results=results,
        visible_images=visible,
        status=str(page.get("status", "")),
        summary=page.get("summary"),
    )
    run.progress(f"preview complete: {figures.expiring} expiring, {figures.transitioning} transitioning")
    return figures


def _no_progress(_message: str) -> None:
    """Default progress callback: say nothing."""


class _RestartError(Exception):
    """Internal signal: the result pages changed under us; take the preview from the top again."""


class _PreviewRun:
    """State of one :func:`run_preview` call (the repository, the budget and what was seen so far)."""

    def __init__(
        self,
        client: ECRClient,
        repository: str,
        registry_id: str | None,
        policy_text: str,
        deadline: float,
        clock: Clock,
        sleep: Sleep,
        poll_interval: float,
        progress: Progress | None,
    ) -> None:
        self._client = client
        self._repository = repository
        self._target: dict[str, Any] = {"repositoryName": repository}
        if registry_id:
            self._target["registryId"] = registry_id
        self._policy_text = policy_text
        self._deadline = deadline
        self._clock = clock
        self._sleep = sleep
        self._poll_interval = poll_interval
        self.progress: Progress = progress or _no_progress
        self._started = 0
        self._last_status = "not started"

    def complete_first_page(self) -> Mapping[str, Any]:
        """Start (or adopt) a preview of our policy and poll until its first page is COMPLETE."""
        need_start = True
        backoff = _BACKOFF_FIRST
        while True:
            if need_start:
                started = self._try_start()
                if started is None:  # throttled: wait and try again
                    backoff = self._wait(backoff, "throttled starting the preview")
                    continue
                need_start = False
                self._wait(self._poll_interval, "waiting for ECR's preview")
            page = self._get_page(None)
            if page is None:  # no preview exists for the repository (any more)
                need_start = True
                continue
            status = str(page.get("status", ""))
            ours = policies_equivalent(str(page.get("lifecyclePolicyText", "")), self._policy_text)
            self._last_status = status if ours else f"{status} (another policy's preview)"
            if ours and status == "COMPLETE":
                return page
            if ours and status == "FAILED":
                raise PreviewFailedError(self._repository, "ECR reported the preview as FAILED")
            if ours and status == "IN_PROGRESS":
                self._wait(self._poll_interval, "preview in progress")
                continue
            # EXPIRED, or the repository's latest preview is another policy's: start ours once it is free.
            need_start = True
            if status == "IN_PROGRESS":
                backoff = self._wait(backoff, "waiting for another preview of the repository to finish")

    def complete_preview(self) -> tuple[Mapping[str, Any], tuple[PreviewResult, ...]]:
        """The first page of a complete preview of our policy and every ``previewResults`` item of it."""
        while True:
            first = self.complete_first_page()
            try:
                return first, self._collect(first)
            except _RestartError:
                logger.info("preview results changed while paging; taking the preview again")

    def count_visible_images(self) -> int:
        """Images in the storage classes the policy has rules for (``DescribeImages``, status ANY)."""
        classes = {rule.selection.effective_storage_class for rule in parse_policy(self._policy_text).rules}
        request: dict[str, Any] = {**self._target, "filter": {"imageStatus": "ANY"}, "maxResults": _IMAGES_PAGE_SIZE}
        count = 0
        while True:
            page = self._client.describe_images(**request)
            count += sum(
                1
                for item in page.get("imageDetails") or ()
                if storage_class_of(item.get("imageStatus", "ACTIVE")) in classes
            )
            token = page.get("nextToken")
            if not token:
                return count
            request["nextToken"] = token

    def _collect(self, first: Mapping[str, Any]) -> tuple[PreviewResult, ...]:
        results = [PreviewResult.from_api(item) for item in first.get("previewResults") or ()]
        token = first.get("nextToken")
        while token:
            page = self._get_page(token)
            if page is None or page.get("lifecyclePolicyText") != first.get("lifecyclePolicyText"):
                raise _RestartError
            results.extend(PreviewResult.from_api(item) for item in page.get("previewResults") or ())
            token = page.get("nextToken")
        return tuple(results)

    def _try_start(self) -> bool | None:
        """Start a preview: ``True`` started, ``False`` one is already running, ``None`` throttled."""
        try:
            self._client.start_lifecycle_policy_preview(**self._target, lifecyclePolicyText=self._policy_text)
        except Exception as error:
            code = aws_error_code(error)
            if code == "LifecyclePolicyPreviewInProgressException":
                self.progress("another preview of the repository is in progress")
                return False
            if code in THROTTLING_CODES:
                return None
            raise
        self._started += 1
        self.progress(f"preview started ({self._started})")
        return True

    def _get_page(self, token: str | None) -> Mapping[str, Any] | None:
        """One page of the repository's latest preview; ``None`` when there is none. Retries throttling."""
        request: dict[str, Any] = {**self._target, "maxResults": PREVIEW_PAGE_SIZE}
        if token:
            request["nextToken"] = token
        backoff = _BACKOFF_FIRST
        while True:
            try:
                return self._client.get_lifecycle_policy_preview(**request)
            except Exception as error:
                code = aws_error_code(error)
                if code == "LifecyclePolicyPreviewNotFoundException":
                    return None
                if code not in THROTTLING_CODES:
                    raise
                backoff = self._wait(backoff, "throttled reading the preview")

    def _wait(self, seconds: float, why: str) -> float:
        """Sleep ``seconds`` (at most until the deadline); return the next back-off step."""
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            raise PreviewTimeoutError(
                self._repository,
                f"no complete preview within the time allowed (last status {self._last_status},"
                f" {self._started} previews started)",
            )
        logger.debug("%s; waiting %.2f s", why, seconds)
        self._sleep(min(seconds, remaining))
        return min(seconds * 2, _BACKOFF_MAX)
