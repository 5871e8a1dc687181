"""The one way to write a button's payload: Rasa's `/intent{"entity":"value"}`.

A button's payload is sent back as the message when pressed (or its number typed, on SMS),
and Rasa reads it without the NLU model. Every builder of payloads goes through here, so
they are read back the same way (api/languages/registry.py, api/render/renderer.py).
"""

from __future__ import annotations

import json


def intent_payload(intent: str, **entities: str) -> str:
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, separators=(",", ":"))
