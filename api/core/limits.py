"""Rate limits shared by every API worker: fixed windows counted in the database or Redis.

A flood (a script opening conversations or filing fake urgent referrals) must not fill the
staff queue, grow the database without bound, or slow real conversations. Each limit
counts hits per subject per window; the subject is a keyed hash (a client address or a
conversation id), so no address is ever stored. The first hit over a limit in a window is
also recorded by name and hour, without any subject, so staff can see that limits were
hit (api/staff/admin_views.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import DateTime, Engine, delete, func, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, col, select

from api.core.clock import utcnow
from api.core.config import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


@dataclass(frozen=True)
class ChatLimits:
    """The limits the chat applies, from the settings."""

    address_messages: Limit
    conversation_messages: Limit
    new_conversations: Limit
    referrals: Limit

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatLimits:
        return cls(
            Limit("messages_per_address", settings.chat_messages_per_minute_per_address, 60),
            Limit(
                "messages_per_conversation", settings.chat_messages_per_minute_per_conversation, 60
            ),
            Limit("new_conversations", settings.new_conversations_per_hour_per_address, 3600),
            Limit("referrals", settings.referrals_per_day_per_address, 86400),
        )


class RateCount(SQLModel, table=True):
    """Hits in one window for one subject. Rows past their window are purged."""

    key: str = Field(primary_key=True, max_length=120)
    hits: int = 0
    expires_at: float = Field(index=True)  # seconds since the epoch


class LimitHit(SQLModel, table=True):
    """How many subjects went over a limit in an hour: a number, no subject, no words."""

    hour: datetime = Field(primary_key=True, sa_type=DateTime(timezone=True))
    limit_name: str = Field(primary_key=True, max_length=40)
    subjects: int = 0


class Counter(Protocol):
    def hit(self, key: str, window_seconds: int) -> int:
        """Count one hit on `key` (which names its window) and return the hits so far."""
        ...

    def purge(self) -> int:
        """Forget windows that have ended; returns how many."""
        ...


class DatabaseCounter:
    """For the embedded default and any single database: an UPDATE, or an INSERT first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def hit(self, key: str, window_seconds: int) -> int:
        with Session(self.engine) as session:
            for _ in range(3):
                bumped = session.exec(
                    update(RateCount)
                    .where(col(RateCount.key) == key)
                    .values(hits=RateCount.hits + 1)
                )
                if bumped.rowcount:
                    session.commit()
                    return int(session.get_one(RateCount, key).hits)
                session.add(RateCount(key=key, hits=1, expires_at=time.time() + window_seconds))
                try:
                    session.commit()
                    return 1
                except IntegrityError:  # another worker made it first: count on it
                    session.rollback()
        return 1

    def purge(self) -> int:
        with Session(self.engine) as session:
            result = session.exec(delete(RateCount).where(col(RateCount.expires_at) < time.time()))
            session.commit()
            return int(result.rowcount or 0)


class RedisCounter:
    """For several API processes in production: INCR, with the window as the key's expiry."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def hit(self, key: str, window_seconds: int) -> int:
        with self.redis.pipeline() as pipe:
            pipe.incr(f"front-door:limit:{key}")
            pipe.expire(f"front-door:limit:{key}", window_seconds + 1, nx=True)
            hits, _ = pipe.execute()
        return int(hits)

    def purge(self) -> int:
        return 0  # keys expire on their own


class RateLimiter:
    # Windows this process already knows are over their limit, and until when: a flood's
    # later requests are refused without touching the shared store at all.
    MAX_REMEMBERED = 50_000

    def __init__(self, counter: Counter, engine: Engine, secret: str) -> None:
        self.counter = counter
        self.engine = engine
        self._secret = secret.encode()
        self._over_until: dict[str, float] = {}
        self._over_lock = threading.Lock()

    def subject(self, value: str) -> str:
        """A keyed hash of an address or id: what the counters and logs may hold."""
        return hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()[:32]

    def allow(self, limit: Limit, subject: str, *, fail_open: bool = True) -> bool:
        """Count a hit for `subject` (already a subject()); False once over the limit.

        If the store cannot be reached the hit is allowed: a limit that fails closed would
        turn a Redis outage into an outage for survivors. Limits that stand between a
        guesser and a secret (a confirmation word, a six-digit code) pass fail_open=False:
        with no store they refuse, and the answer still gives the helplines."""
        now = time.time()
        window = int(now // limit.window_seconds)
        key = f"{limit.name}:{subject}:{window}"
        if self._over_until.get(key, 0.0) > now:
            return False
        try:
            hits = self.counter.hit(key, limit.window_seconds)
        except Exception as error:  # the counter's own errors vary by backend
            logger.warning(
                "rate limit unavailable limit=%s error=%s", limit.name, type(error).__name__
            )
            return fail_open
        if hits == limit.count + 1:
            logger.warning("rate limit hit limit=%s", limit.name)
            self._record(limit.name)
        if hits > limit.count:
            self._remember_over(key, (window + 1) * limit.window_seconds, now)
            return False
        return True

    def _remember_over(self, key: str, until: float, now: float) -> None:
        # Actions call this from worker threads: one thread at a time rebuilds the dict.
        with self._over_lock:
            if len(self._over_until) >= self.MAX_REMEMBERED:
                self._over_until = {k: t for k, t in self._over_until.items() if t > now}
            if len(self._over_until) < self.MAX_REMEMBERED:
                self._over_until[key] = until

    def purge(self, keep_hits_days: int = 30) -> None:
        self.counter.purge()
        with Session(self.engine) as session:
            cutoff = utcnow() - timedelta(days=keep_hits_days)
            session.exec(delete(LimitHit).where(col(LimitHit.hour) < cutoff))
            session.commit()

    def record_event(self, name: str) -> None:
        """Count, by name and hour, something staff should know happened (never who)."""
        self._record(name)

    def _record(self, name: str) -> None:
        hour = utcnow().replace(minute=0, second=0, microsecond=0)
        try:
            with Session(self.engine) as session:
                found = session.get(LimitHit, (hour, name))
                if found is None:
                    found = LimitHit(hour=hour, limit_name=name)
                found.subjects += 1
                session.add(found)
                session.commit()
        except SQLAlchemyError as error:
            logger.warning("limit hit not recorded error=%s", type(error).__name__)


def make_limiter(settings: Settings, engine: Engine) -> RateLimiter:
    counter: Counter = (
        RedisCounter(settings.rate_limit_redis_url)
        if settings.rate_limit_redis_url
        else DatabaseCounter(engine)
    )
    return RateLimiter(counter, engine, settings.channel_id_key.get_secret_value())


def recent_hits(engine: Engine, days: int = 7) -> list[tuple[datetime, str, int]]:
    """Per day and limit, how many subjects went over it: for the admins' page."""
    since = utcnow() - timedelta(days=days)
    with Session(engine) as session:
        rows = session.exec(
            select(LimitHit.hour, LimitHit.limit_name, func.sum(LimitHit.subjects))
            .where(col(LimitHit.hour) >= since)
            .group_by(col(LimitHit.hour), col(LimitHit.limit_name))
        ).all()
    by_day: dict[tuple[datetime, str], int] = {}
    for hour, name, subjects in rows:
        day = hour.replace(hour=0, tzinfo=hour.tzinfo or UTC)
        by_day[(day, name)] = by_day.get((day, name), 0) + int(subjects or 0)
    return sorted(((day, name, n) for (day, name), n in by_day.items()), reverse=True)
