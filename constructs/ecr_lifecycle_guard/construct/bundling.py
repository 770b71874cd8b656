"""Docker-free bundling of the handler's Lambda asset.

CDK calls :meth:`HandlerBundling.try_bundle` on every synth; it assembles the asset with
:func:`~ecr_lifecycle_guard.handler_asset.assemble_handler_asset`. The asset hash is computed from the
output (``AssetHashType.OUTPUT``), so it is identical across synths and changes whenever the handler,
the engine or the bundled ``crhelper`` changes.

Examples
--------
>>> from aws_cdk import aws_lambda
>>> code = handler_code(aws_lambda.Runtime.PYTHON_3_13)
>>> isinstance(code, aws_lambda.AssetCode)
True
"""

from __future__ import annotations

from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from ecr_lifecycle_guard.handler_asset import assemble_handler_asset, handler_source_dir

__all__ = ["HandlerBundling", "handler_code"]

#: Never run: local bundling always succeeds, but CDK requires a command for its Docker fallback.
_UNUSED_DOCKER_COMMAND = ("bash", "-c", "echo 'ecr-lifecycle-guard bundles locally; Docker is not used' && exit 1")


@jsii.implements(ILocalBundling)
class HandlerBundling:
    """Assemble the handler asset in-process (no Docker)."""

    def try_bundle(self, output_dir: str, *, image: DockerImage | None = None, **_options: Any) -> bool:
        """Write the asset into ``output_dir``; always succeeds.

        The keyword-only ``image`` parameter makes jsii pass the bundling options as keywords.
        """
        assemble_handler_asset(output_dir)
        return True


def handler_code(runtime: lambda_.Runtime) -> lambda_.Code:
    """The handler's Lambda code, bundled locally, hashed by its output.

    Parameters
    ----------
    runtime
        The function's runtime; only its bundling image is named (CDK requires one; it is never pulled).
    """
    return lambda_.Code.from_asset(
        str(handler_source_dir()),
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(
            image=runtime.bundling_image,
            local=HandlerBundling(),
            command=list(_UNUSED_DOCKER_COMMAND),
        ),
    )
