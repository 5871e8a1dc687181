"""What the custom actions use, handed to them when the API starts.

The API builds one `ActionDeps` at start-up (api/main.py) from the objects the rest of the
app uses: the same hub configuration, topic pages, languages and referral store. Each
action takes it in its constructor and rasa_sdk's executor runs those instances
(executor.py), so there is one source of truth, and a test builds an action around its own
database and hub.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rasa_sdk import Tracker

from api.actions.context import locale_of
from api.hub.config import HubConfig
from api.languages.registry import Languages
from api.live.service import LiveQueue
from api.nlu.audiences import AudienceCues
from api.nlu.retrieval import TopicRetriever
from api.referrals.runtime import ReferralRuntime
from api.resources.store import ResourceStore


@dataclass(frozen=True)
class ActionDeps:
    hub: HubConfig
    resources: ResourceStore
    languages: Languages
    referrals: ReferralRuntime
    # The topic retriever over `resources`, built on first use (its first build encodes
    # every passage); the API starts building it in the background as it starts.
    retriever: Callable[[], TopicRetriever]
    cues: AudienceCues
    # The locale of a message that came without one.
    default_locale: str
    # The queue for a support worker (live chat), on the API's own database.
    live: LiveQueue | None = None


class UsesDeps:
    """An action built with what it uses, rather than finding it in globals."""

    def __init__(self, deps: ActionDeps) -> None:
        self.deps = deps

    def locale(self, tracker: Tracker) -> str:
        """The locale the API sent with the latest message, or the default one."""
        return locale_of(tracker, self.deps.default_locale)
