"""What a survivor changed after sending, as staff see it: at the top of the referral page
with a "Safe contact changed" flag, news in the queue until read (audited), and a contact
attempt the new wishes forbid refused with the reason."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.core.audit import AuditEvent
from api.core.audit import audit as write_audit
from api.referrals import returning
from api.referrals.models import ContactAttempt, Referral
from tests.api.staff.conftest import post, refer


def change(app: FastAPI, referral: Referral, kind: str, detail: str | None = None) -> None:
    with Session(app.state.engine) as db_session:
        stored = db_session.get(Referral, referral.id)
        assert stored is not None
        returning.record_update(db_session, app.state.cipher, stored, kind=kind, detail=detail)


def attempts(app: FastAPI, referral: Referral) -> list[ContactAttempt]:
    with Session(app.state.engine) as db_session:
        return list(
            db_session.exec(select(ContactAttempt).where(ContactAttempt.referral_id == referral.id))
        )


def audit(app: FastAPI, referral: Referral) -> list[tuple[str, str | None]]:
    with Session(app.state.engine) as db_session:
        rows = db_session.exec(
            select(AuditEvent.action, AuditEvent.detail).where(
                AuditEvent.referral_id == referral.id
            )
        )
        return [(action, detail) for action, detail in rows]


def test_changes_are_shown_first_flagged_and_news_until_read(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)
    quiet = refer(app)
    change(app, referral, "contact_number", "07700 900777")
    change(app, referral, "news", "He has found out where I work")
    queue = client.get("/staff").text
    assert queue.count("News from them") == 1
    row = queue.split(referral.reference)[1].split("</tr>")[0]
    assert "News from them" in row and quiet.reference not in row
    page = client.get(f"/staff/referrals/{referral.id}").text
    assert page.index("Safe contact changed") < page.index("Safe contact – read before")
    assert "07700 900777" in page and "He has found out where I work" in page
    assert "New safe number (changed by them)" in page
    done = post(client, f"/staff/referrals/{referral.id}/updates-read", {})
    assert done.headers["location"].endswith("done=updates_read")
    assert "News from them" not in client.get("/staff").text
    assert "Safe contact changed" in client.get(f"/staff/referrals/{referral.id}").text
    assert ("updates_read", None) in audit(app, referral)


def test_a_message_is_refused_after_stop_all_messages_and_a_call_is_not(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app, contact_method="call")  # calls, with voicemail agreed
    page = f"/staff/referrals/{referral.id}"
    assert 'value="voicemail"' in client.get(page).text
    change(app, referral, "stop_messages")
    shown = client.get(page).text
    assert 'value="voicemail"' not in shown and 'value="call"' in shown
    assert "No voicemail: they asked for no more messages since" in shown
    for way in ("text", "whatsapp", "email", "voicemail"):
        refused = post(
            client, f"{page}/contact-attempts", {"outcome": "no_answer", "way": way}, page
        )
        assert refused.headers["location"].endswith("problem=forbidden_stop_messages"), way
    unsaid = post(client, f"{page}/contact-attempts", {"outcome": "no_answer"}, page)
    assert unsaid.headers["location"].endswith("problem=way_missing")
    assert attempts(app, referral) == []
    assert (
        "they asked for no more messages"
        in client.get(f"{page}?problem=forbidden_stop_messages").text
    )
    called = post(client, f"{page}/contact-attempts", {"outcome": "no_answer", "way": "call"}, page)
    assert called.headers["location"].endswith("done=contact_recorded")
    assert [a.way for a in attempts(app, referral)] == ["call"]
    actions = audit(app, referral)
    assert ("contact_attempt_refused", "voicemail (stop_messages)") in actions
    assert ("contact_attempt", "no_answer by call") in actions


def test_no_voicemail_refuses_only_a_voicemail(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)
    page = f"/staff/referrals/{referral.id}"
    change(app, referral, "no_voicemail")
    refused = post(
        client, f"{page}/contact-attempts", {"outcome": "no_answer", "way": "voicemail"}, page
    )
    assert refused.headers["location"].endswith("problem=forbidden_no_voicemail")
    texted = post(client, f"{page}/contact-attempts", {"outcome": "reached", "way": "text"}, page)
    assert texted.headers["location"].endswith("done=contact_recorded")


def test_many_tries_at_the_reference_are_shown_on_the_referral(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)
    page = f"/staff/referrals/{referral.id}"
    assert "Many tries at their reference" not in client.get(page).text
    with Session(app.state.engine) as db_session:
        write_audit(db_session, returning.LIMIT_REACHED, actor_id=None, referral_id=referral.id)
        db_session.commit()
    shown = client.get(page).text
    assert "Many tries at their reference" in shown
    assert shown.index("Many tries at their reference") < shown.index("Safe contact – read before")
