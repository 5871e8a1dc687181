"""The referral store as the custom actions see it.

Actions run inside the API process but are created by rasa_sdk, not by FastAPI, so the
API hands them the database engine and the cipher here when it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from api.referrals import service
from api.referrals.crypto import FieldCipher
from api.referrals.models import Referral


@dataclass
class ReferralRuntime:
    engine: Engine
    cipher: FieldCipher
    connectors: tuple[str, ...] = ()

    def submit(self, **fields: Any) -> Referral:
        with Session(self.engine) as session:
            referral = service.submit(session, self.cipher, connectors=self.connectors, **fields)
            session.expunge(referral)
            return referral


_runtime: ReferralRuntime | None = None


def configure(runtime: ReferralRuntime) -> None:
    global _runtime
    _runtime = runtime


def current() -> ReferralRuntime:
    if _runtime is None:
        raise RuntimeError("the API has not configured the referral store")
    return _runtime
