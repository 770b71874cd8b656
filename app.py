#!/usr/bin/env python3
"""Example app: roll out an ECR lifecycle policy only if ECR's preview stays within limits.

    cdk synth                                   # creates the repository "ecr-lifecycle-guard-demo" and guards it
    cdk synth -c repository=my-service          # guards an existing repository instead
    cdk synth -c maxExpiringImages=25 -c maxExpiringPercent=20 -c protectedTags=release-*,latest -c previewOnly=true

Context keys: ``repository``, ``maxExpiringImages``, ``maxExpiringPercent``, ``maxTransitioningImages``,
``protectedTags`` (comma-separated) and ``previewOnly``. With no limit, the guard still blocks a policy
that would expire every image of a non-empty repository.

The stack itself (a repository, its three lifecycle rules and the guard) is in
``constructs/ecr_lifecycle_guard/example_app.py``, so that ``ecr-lifecycle-guard demo`` synthesizes the
very same stack when it runs without the CDK CLI.
"""

from __future__ import annotations

from ecr_lifecycle_guard.example_app import build_app

if __name__ == "__main__":
    build_app().synth()
