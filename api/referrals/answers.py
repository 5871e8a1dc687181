"""How an answer that was not given is kept among a referral's answers.

Rasa fills a question's slot with one of these instead of a value; the console shows them
in words and the hub's document turns them into an explicit status (api/hub/contract.py).
They are not words anyone types, so a person who writes "skipped" as their answer is
never taken for one who pressed Skip. (Before these markers a skip was stored as the
plain word "skipped"; no service was live then, so nothing maps it back.)
"""

from __future__ import annotations

SKIPPED = "__skipped__"  # the person chose Skip (bot/domain/referral.yml sets it too)
NOT_ANSWERED = "__not_answered__"  # asked twice and not understood: the flow moved on
# The survivor chose the plain first message (proactive.first_message, in their language)
# as the only words a first text, message or voicemail may say.
PLAIN_MESSAGE = "__plain_message__"
