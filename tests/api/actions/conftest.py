"""The custom actions as the API builds them, around what each test gives them: the sample
hub, the content's topic pages and languages, and a referral store."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from sqlalchemy import create_engine

from api.actions.deps import ActionDeps
from api.core.config import PROJECT_ROOT
from api.core.crypto import FieldCipher
from api.hub.config import HubConfig, load_hub_config
from api.languages.registry import get_languages
from api.nlu.audiences import get_cues
from api.nlu.retrieval import get_retriever
from api.referrals.runtime import ReferralRuntime
from api.resources.store import get_store

SAMPLE_HUB = PROJECT_ROOT / "content" / "hub" / "north-yorkshire-york.yml"


@lru_cache
def sample_hub() -> HubConfig:
    return load_hub_config(SAMPLE_HUB)


def no_referrals() -> ReferralRuntime:
    """A referral store for actions that never reach it: an empty database in memory."""
    return ReferralRuntime(create_engine("sqlite://"), FieldCipher([FieldCipher.new_key()]))


def action_deps(referrals: ReferralRuntime | None = None, **changes: Any) -> ActionDeps:
    deps = ActionDeps(
        hub=sample_hub(),
        resources=get_store(),
        languages=get_languages(),
        referrals=referrals or no_referrals(),
        retriever=get_retriever,  # shared by the tests, and built only if a test asks
        cues=get_cues(),
        default_locale="en",
    )
    return replace(deps, **changes)
