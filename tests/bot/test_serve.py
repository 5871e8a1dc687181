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


TOKEN_CHECK = """
import os
from bot.serve import token_from_environment
from rasa.cli.arguments.run import add_server_arguments
import argparse
parser = argparse.ArgumentParser()
add_server_arguments(parser)
os.environ["RASA_TOKEN"] = "-starts-with-a-dash-0123456789"
argv = token_from_environment(["rasa", "run", "--enable-api"])
parsed, _ = parser.parse_known_args(argv[2:])
assert parsed.auth_token == "-starts-with-a-dash-0123456789", parsed.auth_token
print("token read")
"""


def test_a_token_that_begins_with_a_dash_reaches_rasa() -> None:
    """Random tokens begin with "-" one time in 64; Rasa must still start."""
    result = subprocess.run(
        [str(BOT_PYTHON), "-c", TOKEN_CHECK], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "token read" in result.stdout
