"""The document a hub receives for each consented referral: pydantic models that build it,
and from which its JSON Schema is generated (docs/hub-payload.v<n>.schema.json).

One source of truth: the payload is made by these models and the committed schema is
generated from them (`python -m api.hub.contract`); a test fails when the file is stale,
and a contract test validates every payload the tests deliver against it, formats
included.

Version 2 (the default) gives every answer an explicit status, so "the person chose
Skip", "we asked twice and did not understand", "the question was not asked" and a
person who typed the word "skipped" can never be mistaken for one another. Version 1 is
kept for hubs that integrated with it (HUB_PAYLOAD_VERSION=1): its answers are plain
values with the string "skipped". Version 3 (HUB_PAYLOAD_VERSION=3) is version 2 with one
more contact method, "they_will_contact": the survivor will contact the hub themselves.
Versions 1 and 2 cannot say that value, so they get the method as skipped and the flag
`no_safe_contact` whose reason says it in words. Version 3 also names the earlier
referral of a repeat referral (`previous_reference`); versions 1 and 2 stay as
published. Timestamps are RFC 3339 in UTC, with a "Z".
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Generic, Literal, TypeVar

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_serializer

from api.core.config import PROJECT_ROOT
from api.referrals.answers import NOT_ANSWERED, PLAIN_MESSAGE, SKIPPED

SCHEMA_DIR = PROJECT_ROOT / "docs"
SCHEMA_BASE = "https://frontdoor.example/schemas/referral"
V1_URL: Final = "https://frontdoor.example/schemas/referral/v1"
CURRENT_VERSION = 2
VERSIONS = (1, 2, 3)
# A contact method only version 3 can carry (see the module's note).
THEY_WILL_CONTACT = "they_will_contact"
SKIPPED_VALUES = frozenset({SKIPPED})
NOT_ANSWERED_VALUES = frozenset({NOT_ANSWERED})

Priority = Literal["standard", "high", "urgent"]
Channel = Literal["web", "sms", "whatsapp"]
FlagCode = Literal[
    "threats_to_kill", "strangulation", "afraid_now", "escalation", "pregnant",
    "children_in_home", "area_unconfirmed", "age_unconfirmed", "no_safe_contact",
    "no_safe_contact_detail",
]  # fmt: skip
FlagCodeV3 = Literal[
    "threats_to_kill", "strangulation", "afraid_now", "escalation", "pregnant",
    "children_in_home", "area_unconfirmed", "age_unconfirmed", "no_safe_contact",
    "no_safe_contact_detail", "will_contact_us",
]  # fmt: skip
# Versions 1 and 2 were published with a closed list of flag codes: a flag only version 3
# knows goes to them as the nearest code they know, with its own reason in words.
OLDER_FLAG = {"will_contact_us": "no_safe_contact"}
Method = Literal["call", "text", "whatsapp", "email"]
MethodV3 = Literal["call", "text", "whatsapp", "email", "they_will_contact"]
Situation = Literal["living_together", "together_not_living", "separated", "other"]
Need = Literal[
    "housing", "safety", "money", "children", "emotional_wellbeing", "mental_health",
    "physical_health", "legal", "immigration", "alcohol_or_drugs", "people_to_rely_on",
    "work_or_study",
]  # fmt: skip


def _utc(moment: datetime) -> str:
    """RFC 3339, UTC, with a "Z": "2026-11-29T11:38:41.988889Z"."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Flag(BaseModel):
    code: FlagCode
    reason: str = Field(description="Why, in words for staff.")
    priority: Priority


class FlagV3(Flag):
    code: FlagCodeV3  # type: ignore[assignment]


class Status(StrEnum):
    ANSWERED = "answered"
    SKIPPED = "skipped"  # the person chose Skip
    NOT_ANSWERED = "not_answered"  # asked twice and not understood: check with the person
    NOT_ASKED = "not_asked"  # the conversation did not ask it (it did not apply)


T = TypeVar("T")


class Answer(BaseModel, Generic[T]):
    """One answer: its status, and its value only when answered."""

    model_config = ConfigDict(extra="forbid")
    status: Status
    value: T | None


class Answers(BaseModel):
    """Every question the referral can ask, each with its status."""

    model_config = ConfigDict(extra="forbid")
    referral_consent: Answer[Literal[True]]
    age: Answer[int] = Field(description="In years. Not answered: check it with the person.")
    area: Answer[str] = Field(description="A postcode, district or place, as given.")
    area_status: Answer[Literal["in_area", "unsure"]]
    name: Answer[str]
    contact_method: Answer[Method]
    contact_detail: Answer[str] = Field(
        description="A UK phone number (like 07700 900123) or an email address."
    )
    # Added after version 2 was published, so optional in the schema; always sent.
    contact_shared: Answer[Literal["yes", "no", "unsure"]] = Field(
        default=Answer(status=Status.NOT_ASKED, value=None),
        description="Whether anyone else uses or checks that phone or email.",
    )
    contact_times: Answer[str]
    voicemail_ok: Answer[bool]
    message_ok_text: Answer[str] = Field(
        description="What a first message or voicemail may say, in their words, or the plain "
        "first message they chose (given in English)."
    )
    may_say_who: Answer[bool]
    confirm_word: Answer[str]
    children_count: Answer[int]
    children_ages: Answer[str]
    pregnant: Answer[bool]
    situation: Answer[Situation]
    situation_words: Answer[str]
    risk_afraid: Answer[bool]
    risk_worse: Answer[bool]
    risk_strangled: Answer[bool]
    risk_threats: Answer[bool]
    needs: Answer[list[str]] = Field(
        description="Need codes (housing, money, ...) and anything in their own words."
    )
    language_needs: Answer[str]


class ReferralV2(BaseModel):
    """A consented self-referral, version 2."""

    model_config = ConfigDict(
        extra="forbid",
        title="Front Door self-referral, version 2",
        json_schema_extra={
            "description": (
                "What the hub's webhook receives for each consented self-referral. Sent as "
                "a JSON POST with headers Idempotency-Key (the referral id: keep one referral "
                "per key) and X-FrontDoor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "
                "'<t>.<body>' with the shared secret>. Reject bodies whose signature does not "
                "match or whose timestamp is more than 5 minutes old. Answer 2xx once stored; "
                "anything else is retried with backoff. Key on schema_version."
            )
        },
    )
    schema_version: Literal[2]
    event: Literal["referral.created"] = "referral.created"
    id: str = Field(
        description="Stable id (a UUID); also the Idempotency-Key.",
        json_schema_extra={"format": "uuid"},
    )
    reference: str = Field(
        pattern=r"^FD-[A-Z2-9]{4}-[A-Z2-9]{4}$",
        description="The short reference the survivor was given.",
    )
    created_at: AwareDatetime = Field(
        description="When they pressed Send it (UTC, RFC 3339, with a Z).",
        json_schema_extra={"format": "date-time", "pattern": "Z$"},
    )
    referral_for: Literal["myself", "behaviour"]
    priority: Priority = Field(description="Triage priority for staff. Never shown to them.")
    flags: list[Flag]
    locale: str = Field(description="The language they used: book an interpreter if not en.")
    channel: Channel
    answers: Answers

    @field_serializer("created_at")
    def _serialise_time(self, moment: datetime) -> str:
        return _utc(moment)


class AnswersV3(Answers):
    """Version 3's answers: version 2's, and the survivor may contact the hub themselves."""

    contact_method: Answer[MethodV3] = Field(  # type: ignore[assignment]
        description="How the hub may contact them; they_will_contact: they will get in touch "
        "with the hub themselves, so do not contact them."
    )


class ReferralV3(ReferralV2):
    """A consented self-referral, version 3."""

    model_config = ConfigDict(extra="forbid", title="Front Door self-referral, version 3")
    schema_version: Literal[3]  # type: ignore[assignment]
    flags: list[FlagV3]  # type: ignore[assignment]
    answers: AnswersV3
    previous_reference: str | None = Field(
        default=None,
        pattern=r"^FD-[A-Z2-9]{4}-[A-Z2-9]{4}$",
        description=(
            "A repeat referral: the reference of the same person's earlier referral, which "
            "they proved was theirs and agreed to link. Absent otherwise."
        ),
    )


V1Value = str | int | bool | list[str]


class ReferralV1(BaseModel):
    """Version 1, for hubs that integrated with it: plain values, "skipped" for a skip."""

    model_config = ConfigDict(
        extra="forbid",
        title="Front Door self-referral, version 1",
        json_schema_extra={
            "description": (
                "Version 1 of the referral (HUB_PAYLOAD_VERSION=1). Answers are plain values; "
                'an optional answer the person skipped is the string "skipped", and one not '
                "asked or not understood is absent. Prefer version 2, which says which."
            )
        },
    )
    schema_: Literal["https://frontdoor.example/schemas/referral/v1"] = Field(
        alias="$schema", default=V1_URL
    )
    schema_version: Literal[1]
    id: str = Field(json_schema_extra={"format": "uuid"})
    reference: str = Field(pattern=r"^FD-[A-Z2-9]{4}-[A-Z2-9]{4}$")
    created_at: AwareDatetime = Field(json_schema_extra={"format": "date-time", "pattern": "Z$"})
    referral_for: Literal["myself", "behaviour"]
    priority: Priority
    flags: list[Flag]
    locale: str
    channel: Channel
    answers: dict[str, V1Value]

    @field_serializer("created_at")
    def _serialise_time(self, moment: datetime) -> str:
        return _utc(moment)


QUESTIONS = list(Answers.model_fields)


def status_of(value: Any) -> Status:
    if value is None:
        return Status.NOT_ASKED
    if isinstance(value, str) and value in SKIPPED_VALUES:
        return Status.SKIPPED
    if isinstance(value, str) and value in NOT_ANSWERED_VALUES:
        return Status.NOT_ANSWERED
    return Status.ANSWERED


@lru_cache
def plain_message() -> str:
    """The plain first message, as the survivor saw it offered, in English for the hub."""
    catalog = yaml.safe_load(
        (PROJECT_ROOT / "content" / "locales" / "en" / "chat.yml").read_text(encoding="utf-8")
    )
    return str(catalog["proactive"]["first_message"])


def _readable(answers: dict[str, Any]) -> dict[str, Any]:
    if answers.get("message_ok_text") == PLAIN_MESSAGE:
        return {**answers, "message_ok_text": plain_message()}
    return answers


def _without_new_methods(answers: dict[str, Any]) -> dict[str, Any]:
    """Versions 1 and 2 know only the four methods: "they will contact us" goes as skipped,
    and its flag (as no_safe_contact, see OLDER_FLAG) says it in words."""
    if answers.get("contact_method") == THEY_WILL_CONTACT:
        return {**answers, "contact_method": SKIPPED}
    return answers


def _with_statuses(answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        question: {"status": status, "value": value if status is Status.ANSWERED else None}
        for question in QUESTIONS
        for value in [answers.get(question)]
        for status in [status_of(value)]
    }


def answers_v2(answers: dict[str, Any]) -> Answers:
    return Answers.model_validate(_with_statuses(_readable(_without_new_methods(answers))))


def answers_v3(answers: dict[str, Any]) -> AnswersV3:
    return AnswersV3.model_validate(_with_statuses(_readable(answers)))


def answers_v1(answers: dict[str, Any]) -> dict[str, V1Value]:
    answers = _readable(_without_new_methods(answers))
    plain: dict[str, V1Value] = {}
    for question, value in answers.items():
        status = status_of(value)
        if status is Status.SKIPPED:
            plain[question] = "skipped"
        elif status is Status.ANSWERED:
            plain[question] = value
    return plain


MODELS: dict[int, type[BaseModel]] = {1: ReferralV1, 2: ReferralV2, 3: ReferralV3}


def schema(version: int) -> dict[str, Any]:
    model = MODELS[version]
    generated: dict[str, Any] = model.model_json_schema(by_alias=True, mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}/v{version}",
        **generated,
    }


def schema_file(version: int) -> Path:
    return SCHEMA_DIR / f"hub-payload.v{version}.schema.json"


def rendered_schema(version: int) -> str:
    return json.dumps(schema(version), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the committed schema files from the models."""
    for version in VERSIONS:
        schema_file(version).write_text(rendered_schema(version), encoding="utf-8")
        print(f"wrote {schema_file(version).relative_to(PROJECT_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()


def _older_flags(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**flag, "code": OLDER_FLAG.get(flag["code"], flag["code"])} for flag in flags]


def build(
    version: int,
    referral: Any,
    answers: dict[str, Any],
    previous_reference: str | None = None,
) -> dict[str, Any]:
    """The document for one stored referral, in the hub's chosen version. Only version 3
    names the earlier referral of a repeat referral (`previous_reference`): versions 1
    and 2 were published closed to new fields, so they stay exactly as they were."""
    common = {
        "id": referral.id,
        "reference": referral.reference,
        "created_at": referral.created_at
        if referral.created_at.tzinfo
        else referral.created_at.replace(tzinfo=UTC),
        "referral_for": referral.referral_for,
        "priority": referral.priority,
        "flags": _older_flags(list(referral.flags)) if version < 3 else referral.flags,
        "locale": referral.locale,
        "channel": referral.channel,
    }
    if version == 1:
        document: BaseModel = ReferralV1.model_validate(
            {**common, "schema_version": 1, "answers": answers_v1(answers)}
        )
    elif version == 2:
        document = ReferralV2.model_validate(
            {**common, "schema_version": 2, "answers": answers_v2(answers)}
        )
    else:
        document = ReferralV3.model_validate(
            {
                **common,
                "schema_version": 3,
                "answers": answers_v3(answers),
                "previous_reference": previous_reference,
            }
        )
    absent = {"previous_reference"} if previous_reference is None or version < 3 else set()
    built: dict[str, Any] = document.model_dump(mode="json", by_alias=True, exclude=absent)
    return built
