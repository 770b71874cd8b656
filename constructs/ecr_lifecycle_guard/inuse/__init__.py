"""In-use discovery: which images of a guarded ECR repository do workloads use?

* :func:`discover_in_use` — ECS services and tasks, Lambda image functions, Batch job definitions,
  in the repository's account and in accounts reached through roles; bounded by a deadline.
* :class:`InUseReport` — image digest -> workloads, the sources that could not be listed, and tags
  that name no image.
* :func:`references_from_file` — references from ``kubectl get pods -A -o json`` output or a list;
  :func:`report_from_references` resolves them offline against ``describe-images`` output.
* :class:`BotoClients` — the boto3-backed clients (boto3 is imported only when they are made).

Standard library only at import time: the Lambda asset ships this package; boto3 is the runtime's.

Examples
--------
>>> from ecr_lifecycle_guard.inuse import ImageReference, RepositoryRef
>>> ImageReference.parse("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1").names(
...     RepositoryRef("123456789012", "us-east-1", "app"))
True
"""

from __future__ import annotations

from ecr_lifecycle_guard.inuse.boto_clients import BotoClients
from ecr_lifecycle_guard.inuse.discovery import AwsClients, discover_in_use
from ecr_lifecycle_guard.inuse.files import references_from_file
from ecr_lifecycle_guard.inuse.model import (
    DEADLINE_EXCEEDED,
    ImageReference,
    InUseReport,
    RepositoryRef,
    SourceFailure,
    Workload,
)
from ecr_lifecycle_guard.inuse.offline import report_from_references

__all__ = [
    "DEADLINE_EXCEEDED",
    "AwsClients",
    "BotoClients",
    "ImageReference",
    "InUseReport",
    "RepositoryRef",
    "SourceFailure",
    "Workload",
    "discover_in_use",
    "references_from_file",
    "report_from_references",
]
