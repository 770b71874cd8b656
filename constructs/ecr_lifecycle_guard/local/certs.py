"""A throw-away certificate authority for the local HTTPS response receiver.

The CA lives only as long as the object (and its PEM file in a temporary folder); clients trust it
through ``SSL_CERT_FILE`` (Python's ``ssl.create_default_context`` reads it), which is how the
Lambda handler and crhelper are pointed at the receiver without a test switch.

Examples
--------
>>> with ThrowawayCA() as ca:
...     server_context = ca.server_context("127.0.0.1")  # for the HTTPS server
...     ca.ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")  # for SSL_CERT_FILE
True
"""

from __future__ import annotations

import ssl
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

import trustme

__all__ = ["ThrowawayCA"]


class ThrowawayCA:
    """A fresh CA (trustme) whose certificate is written to :attr:`ca_file` (PEM) while in use."""

    def __init__(self) -> None:
        self._ca = trustme.CA()
        self._dir = tempfile.TemporaryDirectory(prefix="ecr-stand-in-ca-")
        self.ca_file = Path(self._dir.name) / "ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self, *hosts: str) -> ssl.SSLContext:
        """A server-side TLS context with a certificate for ``hosts`` (names or IP addresses) signed by the CA."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert(*hosts).configure_cert(context)
        return context

    def close(self) -> None:
        """Delete the PEM file."""
        self._dir.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
