"""The events a hub receives about a referral after it was sent: the survivor came back
and changed or added something (`referral.updated`), or withdrew their consent
(`referral.withdrawn`). Signed and delivered like referrals (api/hub/delivery.py).

One source of truth, as for the referral: pydantic models build each event, and the
committed schema (docs/hub-event.v1.schema.json) is generated from them with
`python -m api.outbox.events`; a test fails when the file is stale, and tests validate the
events they build against it.

A withdrawn event carries the reference and the event only: by the time it is sent,
everything else about the referral has been erased here, and the hub must erase its copy.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, field_serializer

from api.core.config import PROJECT_ROOT

SCHEMA_VERSION: Final = 1
SCHEMA_FILE = PROJECT_ROOT / "docs" / f"hub-event.v{SCHEMA_VERSION}.schema.json"
SCHEMA_ID = f"https://frontdoor.example/schemas/referral-event/v{SCHEMA_VERSION}"
REFERENCE_PATTERN = r"^FD-[A-Z2-9]{4}-[A-Z2-9]{4}$"
UPDATED: Final = "referral.updated"
WITHDRAWN: Final = "referral.withdrawn"

ChangeKind = Literal[
    "contact_number", "contact_times", "stop_messages", "no_voicemail", "news", "sooner"
]  # fmt: skip


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ChangeKind = Field(
        description=(
            "contact_number: use this number from now on. contact_times: their new safe days "
            "and times. stop_messages: no texts, WhatsApp, email or voicemail from now on. "
            "no_voicemail: never leave a voicemail. news: something new, in their words. "
            "sooner: they asked to be contacted sooner."
        )
    )
    value: str | None = Field(
        description="The number, the times or their words; null for the others."
    )


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: Literal[1]
    id: str = Field(
        description="This event's own id (a UUID); also the Idempotency-Key.",
        json_schema_extra={"format": "uuid"},
    )
    reference: str = Field(pattern=REFERENCE_PATTERN, description="The referral's reference.")
    occurred_at: AwareDatetime = Field(
        description="When the survivor made the change (UTC, RFC 3339, with a Z).",
        json_schema_extra={"format": "date-time", "pattern": "Z$"},
    )

    @field_serializer("occurred_at")
    def _serialise_time(self, moment: datetime) -> str:
        return _utc(moment)


class ReferralUpdated(_Event):
    """The survivor came back with their reference and word, and changed or added this."""

    model_config = ConfigDict(title="Referral updated by the survivor")
    event: Literal["referral.updated"]
    referral_id: str = Field(
        description="The referral's id, as in referral.created.",
        json_schema_extra={"format": "uuid"},
    )
    change: Change


class ReferralWithdrawn(_Event):
    """The survivor withdrew their consent: erase the referral and everything linked to it."""

    model_config = ConfigDict(title="Referral withdrawn by the survivor")
    event: Literal["referral.withdrawn"]


HubEvent = Annotated[ReferralUpdated | ReferralWithdrawn, Field(discriminator="event")]
ADAPTER: TypeAdapter[ReferralUpdated | ReferralWithdrawn] = TypeAdapter(HubEvent)


def _now() -> datetime:
    return datetime.now(UTC)


def updated(referral: Any, kind: str, value: str | None) -> dict[str, Any]:
    document = ReferralUpdated.model_validate(
        {
            "schema_version": SCHEMA_VERSION,
            "event": UPDATED,
            "id": str(uuid.uuid4()),
            "referral_id": referral.id,
            "reference": referral.reference,
            "occurred_at": _now(),
            "change": {"kind": kind, "value": value},
        }
    )
    built: dict[str, Any] = document.model_dump(mode="json")
    return built


def withdrawn(reference: str) -> dict[str, Any]:
    document = ReferralWithdrawn.model_validate(
        {
            "schema_version": SCHEMA_VERSION,
            "event": WITHDRAWN,
            "id": str(uuid.uuid4()),
            "reference": reference,
            "occurred_at": _now(),
        }
    )
    built: dict[str, Any] = document.model_dump(mode="json")
    return built


def schema() -> dict[str, Any]:
    generated: dict[str, Any] = ADAPTER.json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"Front Door referral event, version {SCHEMA_VERSION}",
        "description": (
            "What the hub's webhook receives when a survivor comes back to a referral they "
            "sent. Sent like referrals: a JSON POST with Idempotency-Key (the event's id: "
            "act on each event once) and X-FrontDoor-Signature (the same HMAC-SHA256 as "
            "for referrals). Key on the event field. referral.withdrawn: erase the "
            "referral and everything linked to it, and keep only the fact."
        ),
        **generated,
    }


def rendered_schema() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the committed schema file from the models."""
    SCHEMA_FILE.write_text(rendered_schema(), encoding="utf-8")
    print(f"wrote {Path(SCHEMA_FILE).relative_to(PROJECT_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
