"""Coming back with a reference: the word chosen after sending, the check, and what a
survivor who passed it may do (see their status, change how they are contacted, add
something, ask to be contacted sooner, withdraw).

Nothing here may reveal whether a reference exists. A wrong word, an unknown reference, a
referral with no word and a try over the limits all give the same answer (None), after
the same work: both limits are counted on every try, the referral is looked up every
time, and one argon2 hash is always checked (a dummy when there is nothing to check).
The one difference: the first try over the per-reference limit at a real reference in a
window writes an audit event, so staff are told (see _tell_staff_limit_reached).

A survivor with no word (or who forgot it) may ask for a one-time code instead, sent to
the safe contact their referral gave, only by the text or WhatsApp they chose, only if
they allowed messages there (api/referrals/contact.py), said nobody else uses or checks
the phone and chose the plain first message, and only while staff have not recorded
contact as unsafe (_why_no_code). Whether a code went, and why not,
is never said: the request is answered the same, at once, before anything is looked up
(the sending happens afterwards, off the event loop). A code is 6 digits, kept only as an
argon2id hash, good for `code_valid_for` and once; sends are limited per reference, and a
code entered counts against the same two limits as a word.

A successful check gives a sealed, expiring proof for this conversation only. Anyone can
type a payload that sets a slot, so every later step opens the proof again here and
finds the referral afresh; a slot is never trusted on its own.
"""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from api.core.audit import AuditEvent, audit
from api.core.clock import aware, utcnow
from api.core.config import Settings
from api.core.crypto import DecryptionError, FieldCipher
from api.core.limits import Limit, RateLimiter
from api.erasure.service import forget_here
from api.outbox import events
from api.outbox.models import OutboxEntry
from api.referrals import casework, updates
from api.referrals.answers import PLAIN_MESSAGE
from api.referrals.contact import sendable_address
from api.referrals.models import UPDATE_KINDS, Referral, ReferralUpdate, ReturnCode
from api.referrals.outbound import NotSent
from api.referrals.service import REFERENCE_ALPHABET, by_reference, erase

if TYPE_CHECKING:
    from api.referrals.outbound import OutboundSender

logger = logging.getLogger(__name__)

MIN_WORD_CHARS = 4
MAX_WORD_CHARS = 100
WITHDRAWN_REASON = "withdrawn by the survivor"
PROOF_PURPOSE = "returning"
LIMIT_REACHED = "returning_limit_reached"
# Their agreement to link the referral they are about to make to the one they proved.
LINK_PURPOSE = "link"
CODE_DIGITS = 6
# Neutral first line, like every message the service sends by itself (outbound.py).
CODE_MESSAGE = "proactive.return_code"
CODE_SENDS = Limit("returning_codes_per_reference", 3, 86400)
# The four things a survivor is told about where their referral is, in plain words.
PLAIN_STATUS = {
    "new": "received",
    "in_review": "being_looked_at",
    "contacted": "will_contact",
    "allocated": "will_contact",
    "closed": "closed",
}

_hasher = PasswordHasher()  # argon2id, as for staff passwords
# Checked when there is no word to check, so every try costs the same.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
_LETTERS = f"[{REFERENCE_ALPHABET}0-9]"
_REFERENCE_IN_TEXT = re.compile(
    rf"(?<![A-Z0-9])FD[\s\-‐–—_.]*({_LETTERS}{{4}})[\s\-‐–—_.]*({_LETTERS}{{4}})(?![A-Z0-9])"
)


@dataclass(frozen=True)
class ReturningPolicy:
    per_reference: Limit
    per_sender: Limit
    verified_for: timedelta
    codes_per_reference: Limit = CODE_SENDS
    code_valid_for: timedelta = timedelta(minutes=10)
    # How long an agreement to link lasts: long enough to answer every question.
    link_within: timedelta = timedelta(hours=6)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReturningPolicy:
        window = int(settings.returning_window_hours * 3600)
        return cls(
            Limit("returning_per_reference", settings.returning_tries_per_reference, window),
            Limit("returning_per_sender", settings.returning_tries_per_sender, window),
            timedelta(minutes=settings.returning_verified_minutes),
            Limit(
                CODE_SENDS.name, settings.returning_codes_per_reference, CODE_SENDS.window_seconds
            ),
            timedelta(minutes=settings.returning_code_minutes),
        )


def normalise_reference(text: str) -> str | None:
    """FD-XXXX-XXXX from what a person typed: any case, spaces or dashes, or none, with or
    without "FD", alone or in a sentence. None if there is no reference in it."""
    upper = unicodedata.normalize("NFKC", text).upper()
    found = _REFERENCE_IN_TEXT.search(upper)
    body = found.group(1) + found.group(2) if found else "".join(c for c in upper if c.isalnum())
    if len(body) != 8 or any(ch not in REFERENCE_ALPHABET for ch in body):
        return None
    return f"FD-{body[:4]}-{body[4:]}"


def normalise_word(word: str) -> str:
    """The same word however it is typed: case, accents composed, spaces around it."""
    return " ".join(unicodedata.normalize("NFKC", word).casefold().split())


def word_is_usable(word: str) -> bool:
    return MIN_WORD_CHARS <= len(normalise_word(word)) <= MAX_WORD_CHARS


def _matches(word_hash: str | None, word: str) -> bool:
    try:
        return _hasher.verify(word_hash or _DUMMY_HASH, word) and word_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def set_word(db_session: Session, *, reference: str, conversation_id: str, word: str) -> bool:
    """Keep a hash of the word for the referral just sent from this conversation. Only
    that conversation may set it, and only once."""
    referral = by_reference(db_session, reference)
    if (
        referral is None
        or not conversation_id
        or referral.conversation_id != conversation_id
        or referral.return_word_hash is not None
        or not word_is_usable(word)
    ):
        return False
    referral.return_word_hash = _hasher.hash(normalise_word(word))
    db_session.add(referral)
    audit(db_session, "return_word_set", actor_id=None, referral_id=referral.id)
    db_session.commit()
    return True


def check(
    db_session: Session,
    cipher: FieldCipher,
    limiter: RateLimiter,
    policy: ReturningPolicy,
    *,
    reference: str,
    word: str,
    sender: str,
    conversation_id: str,
) -> str | None:
    """A proof for this conversation if the word is right for the reference, within both
    limits; otherwise None, whatever the reason (see the module's note)."""
    normalised = normalise_reference(reference) or "not-a-reference"
    # With no limit store, no tries: a six-digit code or a word must never be open to
    # unlimited guesses. The answer still gives the hub's line and the 24-hour helpline.
    within_reference = limiter.allow(
        policy.per_reference, limiter.subject(normalised), fail_open=False
    )
    within_sender = limiter.allow(policy.per_sender, limiter.subject(sender), fail_open=False)
    referral = by_reference(db_session, normalised)
    matched = _matches(referral.return_word_hash if referral else None, normalise_word(word))
    if referral is not None and not within_reference:
        _tell_staff_limit_reached(db_session, referral, policy)
    if not (matched and within_reference and within_sender and referral is not None):
        return None
    return _proof(db_session, cipher, referral, conversation_id)


def _proof(
    db_session: Session,
    cipher: FieldCipher,
    referral: Referral,
    conversation_id: str,
    how: str = "word",
) -> str:
    audit(db_session, "survivor_verified", actor_id=None, referral_id=referral.id, detail=how)
    db_session.commit()
    return renewed_proof(cipher, referral, conversation_id)


def renewed_proof(cipher: FieldCipher, referral: Referral, conversation_id: str) -> str:
    """A fresh proof for a referral just found with a valid one: the time a survivor has
    runs from their last step, not from the check, so words they take a while to type are
    not lost when it runs out."""
    return cipher.encrypt(
        {"purpose": PROOF_PURPOSE, "conversation": conversation_id, "referral": referral.id}
    )


def _tell_staff_limit_reached(
    db_session: Session, referral: Referral, policy: ReturningPolicy
) -> None:
    """Too many tries at one reference can mean someone else has found it (on a phone, in
    a message): staff see it on the referral before they next make contact. Recorded once
    per limit window, so a script cannot fill the audit log."""
    since = utcnow() - timedelta(seconds=policy.per_reference.window_seconds)
    if limit_reached_at(db_session, referral, since=since) is None:
        audit(db_session, LIMIT_REACHED, actor_id=None, referral_id=referral.id)
        db_session.commit()


def limit_reached_at(
    db_session: Session, referral: Referral, *, since: datetime | None = None
) -> datetime | None:
    """When the tries at this referral's reference last reached the limit, if they did."""
    query = select(AuditEvent.at).where(
        AuditEvent.referral_id == referral.id, AuditEvent.action == LIMIT_REACHED
    )
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    latest = db_session.exec(query.order_by(col(AuditEvent.at).desc())).first()
    return aware(latest)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise_code(text: str) -> str:
    """The digits typed, in any script's digits ("٤٨٢ ٩١٣" is 482913), nothing else."""
    return "".join(str(unicodedata.digit(ch)) for ch in text if ch.isdecimal())


def request_code(
    engine: Engine,
    cipher: FieldCipher,
    limiter: RateLimiter,
    policy: ReturningPolicy,
    outbound: OutboundSender,
    *,
    reference: str,
    sender: str,
    locale: str,
) -> bool:
    """Send a new code for the reference to the safe contact its referral gave, if it may
    go there (a blocking call to Twilio: run it off the event loop). True if it went; the
    survivor is never told either way, and the log says why not without any detail of
    them. Every request counts against the sender's limit and the sends per reference."""
    normalised = normalise_reference(reference) or "not-a-reference"
    within_sender = limiter.allow(policy.per_sender, limiter.subject(sender), fail_open=False)
    within_sends = limiter.allow(
        policy.codes_per_reference, limiter.subject(normalised), fail_open=False
    )
    with Session(engine) as db_session:
        referral = by_reference(db_session, normalised)
        if referral is None:
            return False
        # Every request for a code is audited against the referral, sent or not.
        audit(db_session, "return_code_requested", actor_id=None, referral_id=referral.id)
        db_session.commit()
        if not within_sends:
            _tell_staff_limit_reached(db_session, referral, policy)
        if not (within_sender and within_sends):
            return False
        answers = cipher.decrypt(referral.encrypted_answers)
        why_not = _why_no_code(db_session, cipher, referral, answers)
        if why_not is not None:
            logger.info("no code sent: %s", why_not)
            return False
        # What they changed since sending counts: a new safe number is where it goes.
        wishes = updates.contact_wishes(updates.survivor_updates(db_session, cipher, referral))
        if wishes.number:
            answers = {**answers, "contact_detail": wishes.number}
        # In the language they made the referral in, whoever asks.
        locale = referral.locale or locale
        address = sendable_address(answers)
        if address is None:
            logger.info("no code sent: no text or WhatsApp number to send to")
            return False
        code = new_code()
        # One code at a time: a new one replaces the last.
        db_session.exec(delete(ReturnCode).where(col(ReturnCode.referral_id) == referral.id))
        row = ReturnCode(
            referral_id=referral.id,
            expires_at=utcnow() + policy.code_valid_for,
            code_hash=_hasher.hash(code),
        )
        db_session.add(row)
        db_session.commit()
        row_id = row.id
        minutes = int(policy.code_valid_for.total_seconds() // 60)
        try:
            outbound.send(
                db_session,
                address=address,
                key=CODE_MESSAGE,
                locale=locale,
                answers=answers,
                params={"code": code, "minutes": minutes},
                words_needed=True,
            )
        except NotSent as refused:
            logger.info("no code sent: %s", refused.reason)
        except Exception as error:  # Twilio down or refusing: the same answer, no code
            logger.warning("a code could not be sent error=%s", type(error).__name__)
        else:
            audit(db_session, "return_code_sent", actor_id=None, referral_id=referral.id)
            db_session.commit()
            return True
        db_session.rollback()
        db_session.exec(delete(ReturnCode).where(col(ReturnCode.id) == row_id))
        db_session.commit()
        return False


def _why_no_code(
    db_session: Session, cipher: FieldCipher, referral: Referral, answers: dict[str, object]
) -> str | None:
    """Why no code may go to this referral's safe contact, or None. A code is a message
    nobody asked for at that moment from the phone's point of view: only to a phone that
    nobody else uses or checks, whose owner chose the plain first message (not their own
    cover words, which a code would not match), with no "no more messages" since, and not
    while staff have recorded that contact is unsafe."""
    if answers.get("contact_shared") != "no":
        return "someone else may use or check the phone, or they did not say"
    if answers.get("message_ok_text") != PLAIN_MESSAGE:
        return "they chose their own words for a first message"
    wishes = updates.contact_wishes(updates.survivor_updates(db_session, cipher, referral))
    if wishes.stop_messages:
        return "they asked for no more messages"
    if casework.do_not_contact_until(db_session, referral) is not None:
        return "staff recorded that contact is unsafe for now"
    return None


def check_code(
    db_session: Session,
    cipher: FieldCipher,
    limiter: RateLimiter,
    policy: ReturningPolicy,
    *,
    reference: str,
    code: str,
    sender: str,
    conversation_id: str,
) -> str | None:
    """As check(), with a code sent to the safe contact instead of the word: the same
    limits counted, the same single argon2 check, the same proof, and None whatever went
    wrong. A code that opens the referral is used up."""
    normalised = normalise_reference(reference) or "not-a-reference"
    within_reference = limiter.allow(
        policy.per_reference, limiter.subject(normalised), fail_open=False
    )
    within_sender = limiter.allow(policy.per_sender, limiter.subject(sender), fail_open=False)
    referral = by_reference(db_session, normalised)
    # The same query whether or not the reference exists.
    live = _live_code(db_session, referral.id if referral is not None else "no-such-referral")
    matched = _matches(live.code_hash if live else None, normalise_code(code))
    if referral is not None and not within_reference:
        _tell_staff_limit_reached(db_session, referral, policy)
    if not (matched and within_reference and within_sender and referral and live):
        return None
    # Used once: only the one request that deletes it gets the proof.
    used = db_session.exec(delete(ReturnCode).where(col(ReturnCode.id) == live.id))
    if not used.rowcount:
        db_session.rollback()
        return None
    return _proof(db_session, cipher, referral, conversation_id, how="code")


def _live_code(db_session: Session, referral_id: str) -> ReturnCode | None:
    newest = db_session.exec(
        select(ReturnCode)
        .where(ReturnCode.referral_id == referral_id)
        .order_by(col(ReturnCode.created_at).desc(), col(ReturnCode.id).desc())
    ).first()
    expires = aware(newest.expires_at) if newest is not None else None
    return newest if expires is not None and expires > utcnow() else None


def purge_codes(db_session: Session) -> int:
    """Delete codes past their time; returns how many."""
    result = db_session.exec(delete(ReturnCode).where(col(ReturnCode.expires_at) < utcnow()))
    db_session.commit()
    return int(result.rowcount or 0)


def verified_referral(
    db_session: Session,
    cipher: FieldCipher,
    policy: ReturningPolicy,
    *,
    token: str | None,
    conversation_id: str,
) -> Referral | None:
    """The referral a proof was given for, if it is this conversation's, recent enough,
    and the referral still exists; otherwise None."""
    return _sealed_referral(
        db_session, cipher, token, conversation_id, PROOF_PURPOSE, policy.verified_for
    )


def _sealed_referral(
    db_session: Session,
    cipher: FieldCipher,
    token: str | None,
    conversation_id: str,
    purpose: str,
    valid_for: timedelta,
) -> Referral | None:
    """The referral a sealed token names, if it was sealed for this purpose and this
    conversation within `valid_for`, and the referral still exists; otherwise None."""
    if not token or not conversation_id:
        return None
    try:
        sealed = cipher.decrypt(token, max_age_seconds=int(valid_for.total_seconds()))
    except DecryptionError:
        return None
    if sealed.get("purpose") != purpose or sealed.get("conversation") != conversation_id:
        return None
    referral_id = sealed.get("referral")
    return db_session.get(Referral, referral_id) if isinstance(referral_id, str) else None


def plain_status(referral: Referral) -> str:
    return PLAIN_STATUS.get(referral.status, "received")


def record_update(
    db_session: Session,
    cipher: FieldCipher,
    referral: Referral,
    *,
    kind: str,
    detail: str | None = None,
    connectors: tuple[str, ...] = (),
) -> None:
    """Keep what the survivor changed or added, encrypted, for staff to see at once;
    audit it; and owe the hub a `referral.updated` event, all in one transaction."""
    if kind not in UPDATE_KINDS:
        raise ValueError(f"unknown update {kind}")
    detail = detail.strip() if detail else None
    db_session.add(
        ReferralUpdate(
            referral_id=referral.id,
            kind=kind,
            encrypted_detail=cipher.encrypt({"text": detail}) if detail else None,
        )
    )
    document = events.updated(referral, kind, detail)
    for connector in connectors:
        db_session.add(
            OutboxEntry(
                referral_id=referral.id,
                connector=connector,
                event=events.UPDATED,
                encrypted_payload=cipher.encrypt(document),
            )
        )
    db_session.add(referral)
    audit(db_session, "survivor_update", actor_id=None, referral_id=referral.id, detail=kind)
    db_session.commit()


def withdraw(
    db_session: Session,
    cipher: FieldCipher,
    referral: Referral,
    *,
    conversation_id: str,
    connectors: tuple[str, ...] = (),
) -> None:
    """Withdrawn consent: the one erasure (the referral, everything linked to it, and the
    conversation it was sent from), this conversation too, since it holds the reference,
    and in the same transaction a `referral.withdrawn` event for the hub carrying the
    reference alone. The audit log keeps only the fact."""
    document = events.withdrawn(referral.reference)
    referral_id = referral.id
    erase(db_session, referral, actor_id=None, reason=WITHDRAWN_REASON)
    if conversation_id and conversation_id != referral.conversation_id:
        forget_here(db_session, conversation_id)
    for connector in connectors:
        db_session.add(
            OutboxEntry(
                referral_id=referral_id,
                connector=connector,
                event=events.WITHDRAWN,
                encrypted_payload=cipher.encrypt(document),
            )
        )
    db_session.commit()


def link_agreement(cipher: FieldCipher, referral: Referral, conversation_id: str) -> str:
    """Sealed, for this conversation: they agreed that the referral they are about to make
    be linked to `referral`, which they had just proved was theirs."""
    return cipher.encrypt(
        {"purpose": LINK_PURPOSE, "conversation": conversation_id, "referral": referral.id}
    )


def referral_to_link(
    db_session: Session,
    cipher: FieldCipher,
    policy: ReturningPolicy,
    *,
    token: str | None,
    conversation_id: str,
) -> Referral | None:
    """At "Send it": the earlier referral the new one is linked to, if this conversation
    holds a recent agreement sealed by link_agreement and that referral still exists."""
    return _sealed_referral(
        db_session, cipher, token, conversation_id, LINK_PURPOSE, policy.link_within
    )
