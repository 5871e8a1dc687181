"""One way to erase a conversation, whatever ended it.

Web exit, SMS and WhatsApp EXIT, an opt-out, erasure of a referral by its reference and
the idle purge all come here. Erasing is two steps in two places:

1. here, in one transaction: the conversation's record, the records of its messages in
   and out (which show that a number texted, and when), its place in the live chat
   queue and any live chat's messages (api/live/), and an entry in the queue of
   erasures Rasa still owes (`PendingErasure`, the id alone);
2. in Rasa: its tracker, which holds the words and any unsent referral answers, replaced
   with nothing. When Rasa confirms, the queue entry goes.

If Rasa cannot be reached (restarting, loading its model), the entry stays and every API
process tries it again until it succeeds: an erase is never given up. Admins see how many
wait and since when, never which. A new message in a conversation whose erase is still
owed settles the erase first, so Rasa never answers from what was meant to be forgotten.

Kept on purpose: an opt-out (nothing may be sent until START) and the rate-limit windows
(keyed hashes and counts that expire with their window, so EXIT cannot reset a limit).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from api.channels.models import InboundMessage, OutboundMessage
from api.conversations.models import Conversation
from api.core.clock import aware, utcnow
from api.erasure.models import PendingErasure
from api.live import service as live
from api.rasa.client import RasaClient, RasaUnavailableError

logger = logging.getLogger(__name__)

# An entry Rasa refused waits longer each time, up to a cap; when Rasa answers again the
# whole queue goes at once (retry_waiting), so the cap only matters while it is away.
RETRY_FIRST = timedelta(seconds=2)
RETRY_CAP = timedelta(seconds=30)
# How many waiting erasures one pass takes on, so one pass stays short.
BATCH = 100


def forget_here(db_session: Session, conversation_id: str) -> None:
    """Delete every row about a conversation and queue its erasure in Rasa, in the
    caller's transaction (the caller commits): the rows go only with the promise."""
    for table in (InboundMessage, OutboundMessage):
        db_session.exec(delete(table).where(col(table.conversation_id) == conversation_id))
    db_session.exec(delete(Conversation).where(col(Conversation.id) == conversation_id))
    # A place in the live chat queue, and a live chat's messages (api/live/).
    live.forget(db_session, conversation_id)
    # Insert unless already queued, in one statement: every API process runs the idle
    # purge, and a check-then-insert could collide and undo a whole pass.
    dialect = db_session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    row = {"conversation_id": conversation_id, "attempts": 0}
    row |= {"queued_at": utcnow(), "next_try_at": utcnow()}
    db_session.exec(insert(PendingErasure).values(**row).on_conflict_do_nothing())


@dataclass(frozen=True)
class Entry:
    """A queue entry as read: plain values, which a later rollback cannot expire."""

    conversation_id: str
    queued_at: datetime
    attempts: int

    @classmethod
    def of(cls, row: PendingErasure) -> Entry:
        return cls(row.conversation_id, row.queued_at, row.attempts)


def retry_delay(attempts: int) -> timedelta:
    delay: timedelta = RETRY_FIRST * (2 ** min(attempts, 10))
    return delay if delay < RETRY_CAP else RETRY_CAP


@dataclass(frozen=True)
class Waiting:
    """What admins see of the queue: how many, and since when. Never which."""

    count: int
    oldest: datetime | None


def waiting(db_session: Session) -> Waiting:
    count, oldest = db_session.exec(select(func.count(), func.min(PendingErasure.queued_at))).one()
    return Waiting(int(count or 0), aware(oldest))


class ConversationEraser:
    """Erases conversations here and in Rasa, now or, when Rasa is away, later."""

    def __init__(self, engine: Engine, rasa: RasaClient) -> None:
        self.engine = engine
        self.rasa = rasa
        self._in_memory: set[asyncio.Task[None]] = set()

    async def erase(self, db_session: Session, conversation_id: str) -> None:
        """Erase a conversation everywhere; returns once it is erased or safely queued."""
        queued = True
        try:
            forget_here(db_session, conversation_id)
            db_session.commit()
        except SQLAlchemyError as error:
            db_session.rollback()
            queued = False
            logger.warning(
                "conversation=%s not erased here yet error=%s",
                conversation_id,
                type(error).__name__,
            )
        try:
            await self.rasa.erase(conversation_id)
        except RasaUnavailableError:
            logger.warning("conversation=%s rasa erase waiting", conversation_id)
            if not queued:
                self._hold_in_memory(conversation_id)
            return
        if queued:
            self._done(db_session, conversation_id)
        else:
            self._hold_in_memory(conversation_id)  # the rows here are still to go

    async def settle(self, db_session: Session, conversation_id: str) -> None:
        """Before a conversation starts again under an id whose erase is still owed (an
        SMS number's id is always the same), finish the erase: raises if Rasa is away."""
        try:
            row = db_session.get(PendingErasure, conversation_id)
            owed = Entry.of(row) if row is not None else None
        except SQLAlchemyError:
            owed = None  # cannot tell; the retry pass erases it, at worst mid-conversation
        finally:
            # End the read now: a connection held while Rasa is awaited would starve the
            # pool when many people are waiting at once.
            db_session.rollback()
        if owed is None or not self._claim(db_session, owed):
            return
        try:
            await self.rasa.erase(conversation_id)
        except RasaUnavailableError:
            self._put_back(db_session, owed)
            raise

    async def retry_waiting(self) -> int:
        """One pass over the erasures that are due; returns how many Rasa confirmed. Once
        Rasa answers, the rest go too, even those not yet due: it is back."""
        with Session(self.engine) as db_session:
            confirmed, reachable = await self._erase_entries(db_session, due=True)
            if confirmed and reachable:
                more, _ = await self._erase_entries(db_session, due=False)
                confirmed += more
        if confirmed:
            logger.info("rasa confirmed %s waiting erasures", confirmed)
        return confirmed

    async def _erase_entries(self, db_session: Session, *, due: bool) -> tuple[int, bool]:
        now = utcnow()
        when = col(PendingErasure.next_try_at)
        rows = db_session.exec(
            select(PendingErasure)
            .where(when <= now if due else when > now)
            .order_by(when)
            .limit(BATCH)
        ).all()
        entries = [Entry.of(row) for row in rows]
        db_session.rollback()  # end the read: nothing is held while Rasa is awaited
        confirmed = 0
        for entry in entries:
            # Claimed before Rasa is asked, so no other process (nor a conversation
            # started again under the same id, see settle) erases it a second time later.
            if not self._claim(db_session, entry):
                continue
            try:
                await self.rasa.erase(entry.conversation_id)
            except RasaUnavailableError:
                # Rasa is away: this one waits a little longer (so one entry Rasa refuses
                # cannot hold up the rest), and the others wait for the next pass.
                self._put_back(db_session, entry)
                return confirmed, False
            confirmed += 1
        return confirmed, True

    @staticmethod
    def _claim(db_session: Session, entry: Entry) -> bool:
        """Take an entry off the queue; False if another process took it first."""
        taken = db_session.exec(
            delete(PendingErasure)
            .where(col(PendingErasure.conversation_id) == entry.conversation_id)
            .where(col(PendingErasure.queued_at) == entry.queued_at)
        )
        db_session.commit()
        return bool(taken.rowcount)

    @staticmethod
    def _put_back(db_session: Session, entry: Entry) -> None:
        """Rasa did not take it: back on the queue, to be tried again a little later."""
        try:
            db_session.add(
                PendingErasure(
                    conversation_id=entry.conversation_id,
                    queued_at=entry.queued_at,
                    attempts=entry.attempts + 1,
                    next_try_at=utcnow() + retry_delay(entry.attempts + 1),
                )
            )
            db_session.commit()
        except SQLAlchemyError:  # queued again meanwhile (a new exit): that entry will do
            db_session.rollback()

    def _done(self, db_session: Session, conversation_id: str) -> None:
        try:
            db_session.exec(
                delete(PendingErasure).where(col(PendingErasure.conversation_id) == conversation_id)
            )
            db_session.commit()
        except SQLAlchemyError:  # harmless: the next pass erases again and then forgets it
            db_session.rollback()

    def _hold_in_memory(self, conversation_id: str) -> None:
        """The database is down, so the erase cannot be queued there: keep trying from
        this process until it can be, or until both halves are done."""
        task = asyncio.create_task(self._until_queued(conversation_id))
        self._in_memory.add(task)
        task.add_done_callback(self._in_memory.discard)

    async def _until_queued(self, conversation_id: str) -> None:
        delay = RETRY_FIRST.total_seconds()
        while True:
            await asyncio.sleep(delay)
            try:
                with Session(self.engine) as db_session:
                    forget_here(db_session, conversation_id)
                    db_session.commit()
                    # Queued durably: the retry pass (in any process) finishes it.
                    logger.info("conversation=%s erase queued", conversation_id)
                    return
            except SQLAlchemyError:
                pass
            delay = min(delay * 2, RETRY_CAP.total_seconds())

    async def aclose(self) -> None:
        for task in list(self._in_memory):
            task.cancel()
