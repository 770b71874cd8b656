"""The one loader of the CloudFormation-shaped events in this folder.

Examples
--------
>>> event = load_event("create", RequestId="r-1", properties={"MaxExpiringImages": "3"})
>>> event["RequestId"], event["ResourceProperties"]["MaxExpiringImages"]
('r-1', '3')
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parent


@cache
def _read(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    return data


def load_event(
    kind: str,
    *,
    properties: dict[str, Any] | None = None,
    old_properties: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    **fields: Any,
) -> dict[str, Any]:
    """A fresh copy of ``tests/events/<kind>.json`` with changes.

    Parameters
    ----------
    kind
        ``create``, ``update`` or ``delete``.
    properties, old_properties
        Merged into ``ResourceProperties`` / ``OldResourceProperties``; a value ``None`` removes the key.
    drop
        Top-level keys to remove (for malformed events).
    **fields
        Top-level keys to set (``ResponseURL``, ``RequestId``, ``PhysicalResourceId``, ...).
    """
    event = copy.deepcopy(_read(kind))
    for key, changes in (("ResourceProperties", properties), ("OldResourceProperties", old_properties)):
        for name, value in (changes or {}).items():
            if value is None:
                event[key].pop(name, None)
            else:
                event[key][name] = value
    event.update(fields)
    for key in drop:
        event.pop(key, None)
    return event
