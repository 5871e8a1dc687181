"""The referral a hub receives keeps to the contract it was promised.

The committed schemas are generated from the models that build the payload, and every
document delivered here (each kind of referral, channel and language, every optional
answer skipped, answered, not understood or not asked, in both versions) is checked
against them by the stand-in hub, formats included: a time without its "Z" fails.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from api.core.crypto import FieldCipher
from api.core.db import make_engine, migrate
from api.hub import contract
from api.hub.delivery import WEBHOOK, DeliveryPolicy, deliver_due
from api.referrals import service
from api.referrals.answers import NOT_ANSWERED, PLAIN_MESSAGE, SKIPPED
from tests.stand_ins import SECRET, StandInHub, contract_problems

ANSWERED = {
    "referral_consent": True, "age": 34, "area": "YO1 7HH", "area_status": "in_area",
    "name": "Wilhelmina", "contact_method": "text", "contact_detail": "07700 900123",
    "contact_shared": "unsure", "contact_times": "mornings", "voicemail_ok": True, "message_ok_text": "say it's the dentist",
    "may_say_who": False, "confirm_word": "marmalade", "children_count": 2,
    "children_ages": "4 and 7", "pregnant": False, "situation": "separated",
    "situation_words": "he keeps turning up", "risk_afraid": True, "risk_worse": True,
    "risk_strangled": False, "risk_threats": True, "needs": ["housing", "in my own words"],
    "language_needs": "a Polish interpreter",
}  # fmt: skip
ESSENTIAL = {"referral_consent", "age", "area", "area_status", "contact_method", "contact_detail"}
SKIPPED_ALL = {k: (v if k in ESSENTIAL else SKIPPED) for k, v in ANSWERED.items()}
NOT_UNDERSTOOD = {
    **ANSWERED, "age": NOT_ANSWERED, "contact_method": NOT_ANSWERED, "contact_detail": None,
    "contact_times": None, "voicemail_ok": None, "message_ok_text": None, "may_say_who": None,
    "area_status": "unsure", "needs": NOT_ANSWERED,
}  # fmt: skip
NOT_ASKED = {**ANSWERED, "voicemail_ok": False, "message_ok_text": None, "children_count": 0,
             "children_ages": None}  # fmt: skip
BEHAVIOUR = {
    k: ANSWERED[k]
    for k in ("referral_consent", "age", "area", "area_status", "name", "contact_method",
              "contact_detail", "contact_times", "voicemail_ok", "message_ok_text",
              "children_count", "children_ages", "language_needs")
}  # fmt: skip
KINDS = {
    "answered": ("myself", ANSWERED),
    "skipped": ("myself", SKIPPED_ALL),
    "not_understood": ("myself", NOT_UNDERSTOOD),
    "not_asked": ("myself", NOT_ASKED),
    "behaviour": ("behaviour", BEHAVIOUR),
}


@pytest.fixture
def hub() -> Iterator[StandInHub]:
    stand_in = StandInHub()
    yield stand_in
    stand_in.server.shutdown()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'contract.db'}"
    migrate(url)
    made = make_engine(url)
    yield made
    made.dispose()


@pytest.mark.parametrize("version", contract.VERSIONS)
def test_the_published_schema_is_generated_from_the_models(version: int) -> None:
    assert contract.schema_file(version).read_text(encoding="utf-8") == contract.rendered_schema(
        version
    ), "run: python -m api.hub.contract"


def deliver(
    engine: Engine, hub: StandInHub, version: int, referral_for: str, answers: dict[str, Any],
    locale: str, channel: str,
) -> dict[str, Any]:  # fmt: skip
    cipher = FieldCipher([FieldCipher.new_key()])
    with Session(engine) as session:
        service.prepare_and_store(
            session, cipher, answers=answers, referral_for=referral_for, locale=locale,
            channel=channel, connectors=(WEBHOOK,),
        )  # fmt: skip
    policy = DeliveryPolicy(url=hub.url, secret=SECRET, payload_version=version)
    assert deliver_due(engine, cipher, policy) == 1, hub.invalid
    document: dict[str, Any] = hub.received[-1]["body"]
    return document


CASES = list(
    itertools.product(
        contract.VERSIONS, KINDS, [("en", "web"), ("pl", "sms"), ("ur", "whatsapp"), ("ar", "web")]
    )
)


@pytest.mark.parametrize(("version", "kind", "where"), CASES)
def test_every_delivered_referral_keeps_to_its_schema(
    engine: Engine, hub: StandInHub, version: int, kind: str, where: tuple[str, str]
) -> None:
    referral_for, answers = KINDS[kind]
    document = deliver(engine, hub, version, referral_for, answers, *where)
    assert contract_problems(document) == []
    assert hub.invalid == []
    assert document["created_at"].endswith("Z")
    assert document["schema_version"] == version


def test_skipped_not_understood_and_not_asked_are_told_apart(
    engine: Engine, hub: StandInHub
) -> None:
    answers = {**NOT_UNDERSTOOD, "name": SKIPPED, "confirm_word": "skipped"}
    got = deliver(engine, hub, 2, "myself", answers, "en", "web")["answers"]
    assert got["name"] == {"status": "skipped", "value": None}
    assert got["age"] == {"status": "not_answered", "value": None}
    assert got["message_ok_text"] == {"status": "not_asked", "value": None}
    # Someone who typed the word "skipped" as their answer said "skipped".
    assert got["confirm_word"] == {"status": "answered", "value": "skipped"}


def test_answers_not_understood_are_flagged_for_staff(engine: Engine, hub: StandInHub) -> None:
    document = deliver(engine, hub, 2, "myself", NOT_UNDERSTOOD, "en", "web")
    codes = {flag["code"] for flag in document["flags"]}
    assert {"age_unconfirmed", "no_safe_contact", "area_unconfirmed"} <= codes


def test_a_time_without_its_offset_would_be_refused() -> None:
    document = {
        **contract.build(
            2,
            type("R", (), {
                "id": "6f1c7b1e-1d2a-4a3b-9c1d-2e3f4a5b6c7d", "reference": "FD-ABCD-EFGH",
                "created_at": __import__("datetime").datetime(2026, 11, 29, 11, 38),
                "referral_for": "myself", "priority": "standard", "flags": [],
                "locale": "en", "channel": "web",
            })(),
            ANSWERED,
        ),
    }  # fmt: skip
    assert contract_problems(document) == []
    document["created_at"] = "2026-11-29T11:38:41.988889"
    assert contract_problems(document) != []


def test_who_else_sees_it_and_the_plain_message_reach_the_hub_in_words() -> None:
    answers = {**ANSWERED, "contact_shared": "yes", "message_ok_text": PLAIN_MESSAGE}
    v2 = contract.answers_v2(answers)
    assert v2.contact_shared.value == "yes"
    assert v2.message_ok_text.value == (
        "Hi, just returning your message. Please reply or call back when it's a good time."
    )
    assert contract.answers_v1(answers)["message_ok_text"] == v2.message_ok_text.value
    earlier = contract.answers_v2({k: v for k, v in ANSWERED.items() if k != "contact_shared"})
    assert earlier.contact_shared.status is contract.Status.NOT_ASKED


def test_the_published_event_schema_is_generated_from_the_models() -> None:
    from api.outbox import events

    assert events.SCHEMA_FILE.read_text(encoding="utf-8") == events.rendered_schema()


def test_built_events_keep_to_the_event_schema() -> None:
    from types import SimpleNamespace

    from api.outbox import events
    from tests.stand_ins import contract_problems

    referral = SimpleNamespace(id="6f1c1d2e-8a0b-4c3d-9e8f-0a1b2c3d4e5f", reference="FD-7K3Q-9MXA")
    built = [
        events.updated(referral, "contact_number", "07700 900123"),
        events.updated(referral, "stop_messages", None),
        events.withdrawn("FD-7K3Q-9MXA"),
    ]
    for document in built:
        assert contract_problems(document) == [], document
        assert document["occurred_at"].endswith("Z")
    # What the schema refuses: an unknown change, or a withdrawal carrying more than it may.
    assert contract_problems({**built[0], "change": {"kind": "name", "value": "x"}})
    assert contract_problems({**built[2], "referral_id": referral.id})


@pytest.mark.parametrize("version", contract.VERSIONS)
def test_they_will_contact_us_reaches_every_version_as_a_value_or_a_flag(
    engine: Engine, hub: StandInHub, version: int
) -> None:
    answers = {
        **ANSWERED, "contact_method": contract.THEY_WILL_CONTACT, "contact_detail": None,
        "contact_shared": None, "contact_times": None, "voicemail_ok": None,
        "message_ok_text": None, "may_say_who": None,
    }  # fmt: skip
    document = deliver(engine, hub, version, "myself", answers, "en", "web")
    assert contract_problems(document) == [] and hub.invalid == []
    reasons = {flag["code"]: flag["reason"] for flag in document["flags"]}
    method = document["answers"]["contact_method"]
    if version == 3:
        assert "will_contact_us" in reasons
        assert method == {"status": "answered", "value": "they_will_contact"}
    else:  # as published: a closed list of codes, the meaning in the reason's words
        assert "contact the hub themselves" in reasons["no_safe_contact"]
        assert method == ({"status": "skipped", "value": None} if version == 2 else "skipped")
