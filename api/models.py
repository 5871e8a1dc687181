"""Every table, imported in one place so migrations and tests see the whole schema."""

from api.channels.models import InboundMessage, OptOut, OutboundMessage
from api.conversations.models import Conversation
from api.core.audit import AuditEvent
from api.core.limits import LimitHit, RateCount
from api.erasure.models import PendingErasure
from api.live.models import LiveChat, LiveMessage
from api.outbox.models import OutboxEntry
from api.referrals.models import (
    ContactAttempt,
    Referral,
    ReferralNote,
    ReferralUpdate,
    ReturnCode,
)
from api.staff.models import SignInFailure, StaffSession, StaffUser

__all__ = [
    "AuditEvent",
    "ContactAttempt",
    "Conversation",
    "InboundMessage",
    "LimitHit",
    "LiveChat",
    "LiveMessage",
    "OptOut",
    "OutboundMessage",
    "OutboxEntry",
    "PendingErasure",
    "RateCount",
    "Referral",
    "ReferralNote",
    "ReferralUpdate",
    "ReturnCode",
    "SignInFailure",
    "StaffSession",
    "StaffUser",
]
