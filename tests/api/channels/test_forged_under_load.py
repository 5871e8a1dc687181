"""Abuse at volume: a flood of forged Twilio webhooks is refused, every one, while a real
survivor's signed messages still get through; nothing forged is stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.channels.models import InboundMessage
from api.conversations.models import Conversation
from tests.api.channels.conftest import Phone

FORGED = 300


def test_forged_webhooks_are_refused_under_load(sms_client: TestClient) -> None:
    attacker = Phone(sms_client, "+447700900999")
    survivor = Phone(sms_client)

    def forge(number: int) -> int:
        form = attacker.form(f"forged {number}")
        wrong = {"X-Twilio-Signature": f"bm90IGEgc2lnbmF0dXJl{number}="} if number % 2 else {}
        return int(attacker.post(form, headers=wrong).status_code)

    with ThreadPoolExecutor(max_workers=16) as pool:
        forged = pool.map(forge, range(FORGED))
        real = [pool.submit(survivor.text, f"hello {n}") for n in range(5)]
        statuses = list(forged)
        replies = [future.result() for future in real]

    assert statuses == [403] * FORGED
    # The first gets the language menu, the rest the helpline: each one says 999.
    assert all("999" in reply for reply in replies)
    engine = sms_client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as db_session:
        assert len(db_session.exec(select(InboundMessage)).all()) == 5
        assert len(db_session.exec(select(Conversation)).all()) == 1
