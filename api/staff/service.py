"""Staff accounts, sign-in and sessions, and the audit log. The database session comes first."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from api.core.audit import AuditEvent, audit
from api.core.clock import aware, utcnow
from api.core.crypto import FieldCipher
from api.staff import security
from api.staff.models import ROLES, SignInFailure, StaffSession, StaffUser

logger = logging.getLogger(__name__)


class AccountError(ValueError):
    """An account cannot be created or changed as asked. The argument is a code; the
    console's templates hold the words for it."""

    @property
    def code(self) -> str:
        return str(self.args[0])


# However many wrong codes, an account is never locked for longer than this at a time.
MAX_LOCKOUT = timedelta(hours=24)


@dataclass(frozen=True)
class SignInPolicy:
    lockout_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    rate_limit_failures: int = 20
    rate_limit_window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=15)
    absolute: timedelta = timedelta(hours=10)


@dataclass(frozen=True)
class SignInResult:
    # "ok", "second_factor", "wrong", "locked" or "rate_limited"
    outcome: str
    token: str | None = None


# Accounts


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    db_session: Session, *, email: str, display_name: str, password: str, role: str
) -> StaffUser:
    if role not in ROLES:
        raise AccountError("role_unknown")
    email = normalise_email(email)
    if "@" not in email or not display_name.strip():
        raise AccountError("details_missing")
    if db_session.exec(select(StaffUser).where(StaffUser.email == email)).first():
        raise AccountError("email_taken")
    try:
        password_hash = security.hash_password(password)
    except security.WeakPasswordError as error:
        raise AccountError("password_too_short") from error
    user = StaffUser(
        email=email, display_name=display_name.strip(), role=role, password_hash=password_hash
    )
    db_session.add(user)
    return user


def by_email(db_session: Session, email: str) -> StaffUser | None:
    return db_session.exec(
        select(StaffUser).where(StaffUser.email == normalise_email(email))
    ).first()


def all_users(db_session: Session) -> list[StaffUser]:
    return list(db_session.exec(select(StaffUser).order_by(col(StaffUser.display_name))))


def active_users(db_session: Session) -> list[StaffUser]:
    return [user for user in all_users(db_session) if user.active]


def is_locked(user: StaffUser, now: datetime | None = None) -> bool:
    locked_until = aware(user.locked_until)
    return locked_until is not None and locked_until > (now or utcnow())


def set_password(db_session: Session, user: StaffUser, password: str) -> None:
    try:
        user.password_hash = security.hash_password(password)
    except security.WeakPasswordError as error:
        raise AccountError("password_too_short") from error
    db_session.add(user)
    end_all_sessions(db_session, user.id)


# Signing in


def _recent_failures(db_session: Session, client_key: str, window: timedelta) -> int:
    since = utcnow() - window
    count = db_session.exec(
        select(func.count())
        .select_from(SignInFailure)
        .where(SignInFailure.client_key == client_key)
        .where(col(SignInFailure.at) > since)
    ).one()
    return int(count)


def sign_in(
    db_session: Session,
    *,
    email: str,
    password: str,
    client_key: str,
    policy: SignInPolicy,
) -> SignInResult:
    """Check a password. Repeated failures lock the account and rate-limit the address."""
    purge_sign_in_failures(db_session, older_than=policy.rate_limit_window)
    if _recent_failures(db_session, client_key, policy.rate_limit_window) >= (
        policy.rate_limit_failures
    ):
        # Not audited: a flood of refused attempts must not flood the audit log.
        logger.warning("staff sign-in refused: rate limit")
        return SignInResult("rate_limited")
    user = by_email(db_session, email)
    password_ok = security.verify_password(user.password_hash if user else None, password)
    if user is None or not user.active:
        db_session.add(SignInFailure(client_key=client_key))
        audit(db_session, "sign_in_failed", actor_id=None, detail="unknown or inactive account")
        db_session.commit()
        return SignInResult("wrong")
    if is_locked(user):
        # Counted like any failure: otherwise a locked account, unlike a made-up one, would
        # never bring on the rate limit, and that difference would show which accounts exist.
        db_session.add(SignInFailure(client_key=client_key))
        audit(db_session, "sign_in_refused_locked", actor_id=user.id)
        db_session.commit()
        return SignInResult("locked")
    if not password_ok:
        db_session.add(SignInFailure(client_key=client_key))
        user.failed_sign_ins += 1
        if lock_if_due(user, user.failed_sign_ins, policy):
            user.failed_sign_ins = 0
            audit(db_session, "account_locked", actor_id=user.id)
        db_session.add(user)
        audit(db_session, "sign_in_failed", actor_id=user.id, detail="wrong password")
        db_session.commit()
        return SignInResult("wrong")
    user.failed_sign_ins = 0
    user.locked_until = None
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    db_session.add(user)
    second_factor = user.encrypted_totp_secret is not None
    token = _start_session(db_session, user, awaiting_second_factor=second_factor)
    audit(db_session, "sign_in_password_ok" if second_factor else "sign_in", actor_id=user.id)
    db_session.commit()
    return SignInResult("second_factor" if second_factor else "ok", token)


def lock_if_due(user: StaffUser, failures: int, policy: SignInPolicy) -> bool:
    """Lock the account after every `lockout_failures` failures in a row; each lockout on
    the same count is longer than the last, up to a day. True if it locked. A password's
    count starts again at each lockout; a second factor's does not, so guessing codes
    after each unlock locks for longer and longer."""
    if failures == 0 or failures % policy.lockout_failures:
        return False
    lockouts = failures // policy.lockout_failures
    user.locked_until = utcnow() + min(policy.lockout * lockouts, MAX_LOCKOUT)
    return True


def _start_session(db_session: Session, user: StaffUser, *, awaiting_second_factor: bool) -> str:
    token = security.new_token()
    db_session.add(
        StaffSession(
            token_hash=security.token_hash(token),
            user_id=user.id,
            csrf_token=security.new_token(),
            awaiting_second_factor=awaiting_second_factor,
        )
    )
    return token


def complete_second_factor(
    db_session: Session,
    cipher: FieldCipher,
    staff_session: StaffSession,
    code: str,
    *,
    client_key: str,
    policy: SignInPolicy,
) -> SignInResult:
    """Check a TOTP code; on success the half-open session is replaced by a full one.

    Wrong codes count against the account (a counter a right password does not reset) and
    against the address, like wrong passwords; each lockout is longer than the last; and a
    code's time step is good only once."""
    if _recent_failures(db_session, client_key, policy.rate_limit_window) >= (
        policy.rate_limit_failures
    ):
        logger.warning("staff second factor refused: rate limit")
        return SignInResult("rate_limited")
    user = db_session.get(StaffUser, staff_session.user_id)
    if user is None or user.encrypted_totp_secret is None or is_locked(user):
        db_session.add(SignInFailure(client_key=client_key))
        db_session.commit()
        return SignInResult("wrong")
    secret = cipher.decrypt(user.encrypted_totp_secret)["totp"]
    step = security.totp_step(secret, code, after=user.last_totp_step)
    if step is None:
        db_session.add(SignInFailure(client_key=client_key))
        user.failed_second_factors += 1
        if lock_if_due(user, user.failed_second_factors, policy):
            db_session.delete(staff_session)
            audit(db_session, "account_locked", actor_id=user.id, detail="second factor")
        db_session.add(user)
        audit(db_session, "second_factor_failed", actor_id=user.id)
        db_session.commit()
        return SignInResult("wrong")
    user.failed_second_factors = 0
    user.last_totp_step = step
    db_session.add(user)
    db_session.delete(staff_session)
    token = _start_session(db_session, user, awaiting_second_factor=False)
    audit(db_session, "sign_in", actor_id=user.id, detail="with second factor")
    db_session.commit()
    return SignInResult("ok", token)


def session_for(
    db_session: Session, token: str | None, policy: SessionPolicy
) -> tuple[StaffSession, StaffUser] | None:
    """The live session a cookie names, touched; None if absent, idle too long or too old."""
    if not token:
        return None
    staff_session = db_session.get(StaffSession, security.token_hash(token))
    if staff_session is None:
        return None
    now = utcnow()
    last_seen = aware(staff_session.last_seen_at) or now
    created = aware(staff_session.created_at) or now
    user = db_session.get(StaffUser, staff_session.user_id)
    if now - last_seen > policy.idle or now - created > policy.absolute or user is None:
        db_session.delete(staff_session)
        db_session.commit()
        return None
    if not user.active or is_locked(user):
        return None
    staff_session.last_seen_at = now
    db_session.add(staff_session)
    db_session.commit()
    return staff_session, user


def end_session(db_session: Session, staff_session: StaffSession) -> None:
    audit(db_session, "sign_out", actor_id=staff_session.user_id)
    db_session.delete(staff_session)
    db_session.commit()


def end_all_sessions(db_session: Session, user_id: str) -> int:
    result = db_session.exec(delete(StaffSession).where(col(StaffSession.user_id) == user_id))
    audit(db_session, "sign_out_everywhere", actor_id=user_id)
    db_session.commit()
    return int(result.rowcount or 0)


# Second factor


def start_second_factor_setup(cipher: FieldCipher) -> tuple[str, str]:
    """A new secret, and the same secret encrypted to carry in the form until confirmed."""
    secret = security.new_totp_secret()
    return secret, cipher.encrypt({"totp": secret})


def enable_second_factor(
    db_session: Session,
    cipher: FieldCipher,
    user: StaffUser,
    sealed_secret: str,
    code: str,
    password: str,
) -> str | None:
    """Turn two-step sign-in on, or move it to a new app. None if it worked, else a problem
    code. The password is needed too, so a session left open cannot swap the app."""
    if not security.verify_password(user.password_hash, password):
        audit(db_session, "second_factor_change_refused", actor_id=user.id)
        db_session.commit()
        return "wrong_password"
    secret = cipher.decrypt(sealed_secret)["totp"]
    step = security.totp_step(secret, code)
    if step is None:
        return "wrong_code"
    replacing = user.encrypted_totp_secret is not None
    user.encrypted_totp_secret = cipher.encrypt({"totp": secret})
    user.last_totp_step = step
    user.failed_second_factors = 0
    db_session.add(user)
    audit(
        db_session,
        "second_factor_reset" if replacing else "second_factor_enabled",
        actor_id=user.id,
    )
    db_session.commit()
    return None


# Administration


def set_role(db_session: Session, admin: StaffUser, user: StaffUser, role: str) -> None:
    if role not in ROLES:
        raise AccountError("role_unknown")
    if user.id == admin.id and role != "admin":
        raise AccountError("own_admin_role")
    user.role = role
    db_session.add(user)
    audit(db_session, "role_changed", actor_id=admin.id, detail=f"user {user.id} -> {role}")
    db_session.commit()


def set_active(db_session: Session, admin: StaffUser, user: StaffUser, active: bool) -> None:
    if user.id == admin.id and not active:
        raise AccountError("own_account")
    user.active = active
    db_session.add(user)
    if not active:
        db_session.exec(delete(StaffSession).where(col(StaffSession.user_id) == user.id))
    audit(
        db_session,
        "account_activated" if active else "account_deactivated",
        actor_id=admin.id,
        detail=f"user {user.id}",
    )
    db_session.commit()


def unlock(db_session: Session, admin: StaffUser, user: StaffUser) -> None:
    user.locked_until = None
    user.failed_sign_ins = 0
    db_session.add(user)
    audit(db_session, "account_unlocked", actor_id=admin.id, detail=f"user {user.id}")
    db_session.commit()


def recent_audit(
    db_session: Session, *, limit: int = 200, referral_id: str | None = None
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    if referral_id:
        query = query.where(AuditEvent.referral_id == referral_id)
    return list(db_session.exec(query.limit(limit)))


def purge_sign_in_failures(db_session: Session, older_than: timedelta) -> None:
    db_session.exec(delete(SignInFailure).where(col(SignInFailure.at) < utcnow() - older_than))
    db_session.commit()


def session_still_live(db_session: Session, token_hash: str, policy: SessionPolicy) -> bool:
    """Whether a session is still in force, without touching it: an open live chat page
    must not keep a session alive by itself (the idle timeout still applies)."""
    staff_session = db_session.get(StaffSession, token_hash)
    if staff_session is None:
        return False
    now = utcnow()
    last_seen = aware(staff_session.last_seen_at) or now
    created = aware(staff_session.created_at) or now
    return now - last_seen <= policy.idle and now - created <= policy.absolute
