"""A repeat referral, as staff and the hub see it: linked both ways on the referral pages,
named in the hub's version 2 document (never in version 1), and no longer naming the
earlier referral once that one is erased."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.core.audit import AuditEvent
from api.hub.delivery import payload
from api.referrals import service as referrals
from api.referrals.models import Referral
from tests.api.staff.conftest import ANSWERS, refer
from tests.stand_ins import contract_problems


def repeat_of(app: FastAPI, earlier: Referral) -> Referral:
    with Session(app.state.engine) as db_session:
        referral = referrals.prepare_and_store(
            db_session,
            app.state.cipher,
            answers=ANSWERS,
            referral_for="myself",
            locale="en",
            channel="web",
            previous_referral_id=earlier.id,
        )
        db_session.expunge(referral)
        return referral


def test_both_referral_pages_show_the_link(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    earlier = refer(app)
    later = repeat_of(app, earlier)
    unrelated = refer(app)
    page = client.get(f"/staff/referrals/{later.id}").text
    assert "Repeat referral" in page and f"/staff/referrals/{earlier.id}" in page
    assert earlier.reference in page
    first = client.get(f"/staff/referrals/{earlier.id}").text
    assert "Later referral:" in first and later.reference in first
    assert "Repeat referral" not in first
    other = client.get(f"/staff/referrals/{unrelated.id}").text
    assert "Repeat referral" not in other and "Later referral" not in other
    with Session(app.state.engine) as db_session:
        actions = db_session.exec(
            select(AuditEvent.action).where(AuditEvent.referral_id == later.id)
        ).all()
    assert "repeat_referral" in actions


def test_the_hub_document_names_the_earlier_reference_in_version_3_only(
    app: FastAPI, client: TestClient
) -> None:
    earlier = refer(app)
    later = repeat_of(app, earlier)
    v3 = payload(later, dict(ANSWERS), 3, earlier.reference)
    assert v3["previous_reference"] == earlier.reference and contract_problems(v3) == []
    plain = payload(earlier, dict(ANSWERS), 3)
    assert "previous_reference" not in plain and contract_problems(plain) == []
    for version in (1, 2):  # as published: closed to new fields
        older = payload(later, dict(ANSWERS), version, earlier.reference)
        assert "previous_reference" not in older and contract_problems(older) == []


def test_erasing_the_earlier_referral_unlinks_the_later_one(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    earlier = refer(app)
    later = repeat_of(app, earlier)
    with Session(app.state.engine) as db_session:
        assert referrals.erase_by_reference(db_session, earlier.reference)
    with Session(app.state.engine) as db_session:
        kept = db_session.get(Referral, later.id)
        assert kept is not None and kept.previous_referral_id is None
    assert "Repeat referral" not in client.get(f"/staff/referrals/{later.id}").text
