"""The referral store as the custom actions see it: the database engine, the cipher and
the limits the API itself uses, built once when the API starts and handed to the actions
(api/actions/deps.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.core.crypto import FieldCipher
from api.core.limits import Limit, RateLimiter
from api.referrals import returning, service, spool
from api.referrals.models import Referral
from api.referrals.outbound import OutboundSender
from api.referrals.returning import ReturningPolicy

logger = logging.getLogger(__name__)


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
    # Messages the service sends by itself (a code to come back with); None: none are.
    outbound: OutboundSender | None = None
    # Codes being sent in the background, on two threads of their own.
    sending: set[Future[bool]] = field(default_factory=set, repr=False)
    _senders: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="return-code"),
        repr=False,
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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

    def may_send_codes(self) -> bool:
        """Whether a code to come back with can be offered at all here (never whether it
        can be sent for a given referral: that is not said)."""
        return (
            self.returning is not None
            and self.limiter is not None
            and self.outbound is not None
            and self.outbound.can_send()
        )

    def send_code_later(self, *, reference: str, sender: str, locale: str) -> None:
        """Start sending a code for `reference` and return at once: the answer to the
        survivor never waits for, or depends on, the lookup or Twilio (a blocking call).
        The work goes to this store's own threads, not to the caller's event loop: an
        action's loop ends with the action (api/actions/views.py)."""
        if not self.may_send_codes():
            return
        assert self.returning and self.limiter and self.outbound
        future = self._senders.submit(
            returning.request_code,
            self.engine,
            self.cipher,
            self.limiter,
            self.returning,
            self.outbound,
            reference=reference,
            sender=sender,
            locale=locale,
        )
        with self._lock:
            self.sending.add(future)
        future.add_done_callback(self._sent)

    def _sent(self, future: Future[bool]) -> None:
        with self._lock:
            self.sending.discard(future)
        if not future.cancelled() and future.exception() is not None:
            error = future.exception()
            logger.error("a code could not be sent error=%s", type(error).__name__)

    async def codes_sent(self) -> None:
        """Wait for the codes being sent (tests; shutting down)."""
        while True:
            with self._lock:
                waiting = list(self.sending)
            if not waiting:
                return
            await asyncio.to_thread(wait, waiting)
