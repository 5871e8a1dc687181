"""The two speed fixes Rasa is started with give the same answers as Rasa's own code.

Runs in Rasa's environment (Python 3.10), where they run."""

from __future__ import annotations

import subprocess

from scripts.stack import BOT_PYTHON, ROOT

CHECK = """
from bot.serve import remember_subclasses, validate
import jsonschema
from rasa.core.actions.action import RemoteAction
remember_subclasses()
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.utils import common

assert Event.resolve_by_type("slot") is SlotSet
class Probe(SlotSet):
    type_name = "probe_event"
assert Event.resolve_by_type("probe_event") is Probe, "a new subclass must be seen"

schema = RemoteAction.action_response_format_spec()
validate({"events": [], "responses": []}, schema)
for bad in ({"events": "not a list"}, {"responses": [1]}):
    try:
        validate(bad, schema)
    except jsonschema.ValidationError:
        continue
    raise AssertionError(f"accepted {bad}")
print("same answers")
"""


def test_rasa_speed_fixes_keep_rasas_answers() -> None:
    result = subprocess.run(
        [str(BOT_PYTHON), "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "same answers" in result.stdout
