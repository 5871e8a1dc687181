"""The referral store as the custom actions see it: the database engine, the cipher and
the limits the API itself uses, built once when the API starts and handed to the actions
(api/actions/deps.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.core.crypto import FieldCipher
from api.core.limits import Limit, RateLimiter
from api.referrals import service, spool
from api.referrals.models import Referral
from api.referrals.returning import ReturningPolicy


@dataclass
class ReferralRuntime:
    engine: Engine
    cipher: FieldCipher
    connectors: tuple[str, ...] = ()
    spool_dir: Path | None = None
    limiter: RateLimiter | None = None
    referral_limit: Limit | None = None
    # Coming back with a reference (api/referrals/returning.py); None: not offered.
    returning: ReturningPolicy | None = None

    def may_refer(self, client: str | None) -> bool:
        """False once a client (a keyed hash of an address, or of an SMS sender) has sent
        as many referrals today as the limit allows: a script cannot fill the queue."""
        if self.limiter is None or self.referral_limit is None or not client:
            return True
        return self.limiter.allow(self.referral_limit, client)

    def submit(self, **fields: Any) -> Referral:
        """Store the referral; if the database is down, spool it to disk (see spool.py).

        Either way the survivor gets their reference: the referral is safe."""
        referral = service.prepare(self.cipher, **fields)
        try:
            with Session(self.engine) as session:
                stored = service.store(session, referral, self.connectors)
                session.expunge(stored)
                return stored
        except SQLAlchemyError:
            if self.spool_dir is None:
                raise
            spool.write(self.spool_dir, referral, self.connectors)
            return referral
