"""Redis trackers that can be erased.

Rasa 3.6 has no endpoint to delete a conversation. The API erases one by replacing its
events with none (`PUT /conversations/{id}/tracker/events` with `[]`), which works in the
in-memory store. Rasa 3.6's Redis store, though, merges every saved tracker with the one
already stored (to survive two processes saving at once), so an empty list merged with the
old events left the whole conversation in Redis: exit, opt-out and the idle purge erased
nothing there. Here a tracker saved with no events at all is an erasure, and its key is
deleted. Rasa itself never saves an empty tracker: every conversation starts with events.

This file runs in Rasa's own environment (Python 3.10) and imports nothing of the API.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


class ErasableRedisTrackerStore(RedisTrackerStore):  # type: ignore[misc]
    # Rasa's signature, `timeout` included.
    async def save(
        self,
        tracker: DialogueStateTracker,
        timeout: Any = None,  # noqa: ASYNC109
    ) -> None:
        if not tracker.events:
            self.red.delete(self.key_prefix + tracker.sender_id)
            return
        await super().save(tracker, timeout)
