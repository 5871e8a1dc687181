"""Working a referral in the console: the queue, the referral page (audited), notes,
contact attempts, status, allocation, deliveries, erasure; and no personal data at rest
or in the audit log."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from api.core.audit import AuditEvent
from api.core.clock import utcnow
from api.erasure.models import PendingErasure
from api.outbox.models import OutboxEntry
from api.referrals.models import ContactAttempt, Referral, ReferralNote
from tests.api.staff.conftest import ANSWERS, PASSWORD, PERSONAL, post, refer, sign_in

ROOT = Path(__file__).resolve().parents[3]


def _referral(app: FastAPI, referral_id: str) -> Referral:
    with Session(app.state.engine) as db_session:
        referral = db_session.get(Referral, referral_id)
        assert referral is not None
        return referral


def _audit(app: FastAPI) -> list[AuditEvent]:
    with Session(app.state.engine) as db_session:
        return list(db_session.exec(select(AuditEvent)))


def _age(app: FastAPI, referral_id: str, hours: float) -> None:
    with Session(app.state.engine) as db_session:
        referral = db_session.get(Referral, referral_id)
        assert referral is not None
        referral.created_at = utcnow() - timedelta(hours=hours)
        db_session.add(referral)
        db_session.commit()


def test_the_queue_puts_the_most_urgent_first_then_the_longest_waiting(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    calm = {"risk_threats": False, "risk_worse": False, "children_count": 0, "pregnant": False}
    standard_old = refer(app, **calm)
    high = refer(app, risk_threats=False)  # worse, children: high
    urgent_new = refer(app)
    urgent_old = refer(app)
    _age(app, standard_old.id, 50)
    _age(app, urgent_old.id, 3)
    page = client.get("/staff").text
    order = [page.index(r.reference) for r in (urgent_old, urgent_new, high, standard_old)]
    assert order == sorted(order)
    assert "Has been threatened with being killed" in page and "Children in the household" in page
    assert "2 days" in page  # how long the oldest has waited

    only_urgent = client.get("/staff", params={"priority": "urgent"}).text
    assert urgent_new.reference in only_urgent and high.reference not in only_urgent


def test_the_referral_page_shows_safe_contact_first_and_each_view_is_audited(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)
    page = client.get(f"/staff/referrals/{referral.id}").text
    for shown in ("Wilhelmina", "07700 900123", "weekday mornings before nine", "marmalade"):
        assert shown in page
    safe_contact = page.index("Safe contact")
    assert safe_contact < page.index("Triage flags") < page.index("What they told us")
    assert page.index("marmalade", safe_contact) < page.index("What they told us")
    assert "Housing, Children" in page
    client.get(f"/staff/referrals/{referral.id}")
    views = [e for e in _audit(app) if e.action == "referral_viewed"]
    assert len(views) == 2
    assert {(e.actor_id, e.referral_id) for e in views} == {(staff_member, referral.id)}


def test_answers_given_in_urdu_are_marked_with_their_language_and_direction(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app, locale="ur", situation_words="وہ مجھے گھر سے نکلنے نہیں دیتا")
    queue = client.get("/staff").text
    assert "Urdu (اردو)" in queue
    page = client.get(f"/staff/referrals/{referral.id}").text
    assert '<html lang="en">' in page  # the console itself stays in English
    assert "<strong>Urdu (اردو)</strong>" in page and "Book an interpreter" in page
    assert '<dd lang="ur" dir="auto"><bdi>وہ مجھے گھر سے نکلنے نہیں دیتا</bdi>' in page
    assert '<dd lang="ur" dir="auto"><bdi>Wilhelmina' in page  # as given, in its field
    english = client.get(f"/staff/referrals/{refer(app).id}").text
    assert "Book an interpreter" not in english


def test_claim_note_contact_attempt_and_allocation(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)
    page = f"/staff/referrals/{referral.id}"
    assert post(client, f"{page}/claim", {}).headers["location"] == f"{page}?done=claimed"
    claimed = _referral(app, referral.id)
    assert claimed.assigned_to == staff_member and claimed.status == "in_review"

    post(client, f"{page}/notes", {"text": "Spoke to the school's safeguarding lead."}, page)
    missing_date = post(client, f"{page}/contact-attempts", {"outcome": "unsafe"}, page)
    assert missing_date.headers["location"].endswith("problem=retry_after_missing")
    later = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    post(
        client,
        f"{page}/contact-attempts",
        {"outcome": "unsafe", "way": "text", "retry_after": later, "note": "He answered."},
        page,
    )
    shown = client.get(page).text
    assert "Do not contact before" in shown and "He answered." in shown
    assert "Spoke to the school" in shown

    wrong_service = post(client, f"{page}/allocation", {"service": "Made-up service"}, page)
    assert wrong_service.headers["location"].endswith("problem=service_unknown")
    post(client, f"{page}/allocation", {"service": "Sanctuary Scheme and target hardening"}, page)
    allocated = _referral(app, referral.id)
    assert allocated.status == "allocated"
    assert allocated.allocated_service == "Sanctuary Scheme and target hardening"
    actions = [e.action for e in _audit(app) if e.referral_id == referral.id]
    for action in ("claimed", "note_added", "contact_attempt", "allocated"):
        assert action in actions


def test_status_moves_only_along_the_flow_and_closing_needs_a_reason(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)
    page = f"/staff/referrals/{referral.id}"
    skipped = post(client, f"{page}/status", {"status": "allocated"}, page)
    assert skipped.headers["location"].endswith("problem=status_not_allowed")
    no_reason = post(client, f"{page}/status", {"status": "closed"}, page)
    assert no_reason.headers["location"].endswith("problem=closing_reason_missing")
    post(client, f"{page}/status", {"status": "closed", "closing_reason": "declined_support"}, page)
    closed = _referral(app, referral.id)
    assert (closed.status, closed.closing_reason) == ("closed", "declined_support")
    assert referral.reference not in client.get("/staff").text  # the queue shows open ones
    assert referral.reference in client.get("/staff", params={"status": "closed"}).text


def test_personal_details_are_encrypted_at_rest_and_never_in_the_audit_log(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)
    page = f"/staff/referrals/{referral.id}"
    client.get(page)
    post(client, f"{page}/notes", {"text": "Her sister Wilhelmina may call"}, page)
    post(
        client,
        f"{page}/contact-attempts",
        {"outcome": "reached", "way": "text", "note": "marmalade ok"},
        page,
    )
    # Every table, on SQLite and PostgreSQL: a new table is scanned without anyone adding it.
    tables = inspect(app.state.engine).get_table_names()
    assert {"referral", "referralnote", "contactattempt", "auditevent"} <= set(tables)
    with app.state.engine.connect() as connection:
        rows = [
            str(row)
            for table in tables
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        ]
    dump = "\n".join(rows)
    assert referral.reference in dump  # the rows are there...
    for secret in PERSONAL:
        assert secret not in dump, f"{secret!r} is stored in the clear"  # ...but not in clear
    settings = app.state.settings
    if settings.database_url.startswith("sqlite"):
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        for secret in PERSONAL:
            assert secret.encode() not in raw


def test_an_admin_erases_a_referral_by_its_reference(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    referral = refer(app)
    page = f"/staff/referrals/{referral.id}"
    post(client, f"{page}/notes", {"text": "note"}, page)
    post(client, f"{page}/contact-attempts", {"outcome": "no_answer", "way": "text"}, page)
    mistyped = post(
        client,
        "/staff/admin/erase",
        {"reference": referral.reference, "confirm": "FD-XXXX-XXXX"},
        "/staff/admin/retention",
    )
    assert mistyped.headers["location"].endswith("problem=confirm")
    erased = post(
        client,
        "/staff/admin/erase",
        {"reference": referral.reference.lower(), "confirm": referral.reference},
        "/staff/admin/retention",
    )
    assert erased.headers["location"].endswith("done=erased")
    with Session(app.state.engine) as db_session:
        for table in (Referral, ReferralNote, ContactAttempt):
            assert db_session.exec(select(table)).all() == []
        assert db_session.exec(select(OutboxEntry)).all() == []
    assert client.get(page).status_code == 404
    erasures = [e for e in _audit(app) if e.action == "referral_erased"]
    assert [(e.actor_id, e.referral_id) for e in erasures] == [(admin, referral.id)]


def test_the_delivery_page_shows_dead_letters_and_retries_them(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    referral = refer(app)
    with Session(app.state.engine) as db_session:
        entry = db_session.exec(select(OutboxEntry)).one()
        entry.status, entry.attempts, entry.last_error = "dead", 14, "HTTP 503"
        db_session.add(entry)
        db_session.commit()
        entry_id = entry.id
    page = client.get("/staff/admin/deliveries", params={"status": "dead"}).text
    assert "HTTP 503" in page and "Retry now" in page
    post(client, f"/staff/admin/deliveries/{entry_id}/retry", {}, "/staff/admin/deliveries")
    with Session(app.state.engine) as db_session:
        assert db_session.get(OutboxEntry, entry_id).status == "pending"  # type: ignore[union-attr]
    retried = [e for e in _audit(app) if e.action == "delivery_retried"]
    assert retried and retried[0].referral_id == referral.id


def test_the_admin_pages_show_the_audit_log_and_retention_settings(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    referral = refer(app)
    client.get(f"/staff/referrals/{referral.id}")
    audit_page = client.get("/staff/admin/audit").text
    assert "referral viewed" in audit_page and "Ada Admin" in audit_page
    retention = client.get("/staff/admin/retention").text
    assert "24.0 hours" in retention and "90.0 days" in retention
    assert "None. Every conversation erased here" in retention


def test_admins_see_that_erasures_wait_for_rasa_but_not_which(
    app: FastAPI, client: TestClient, admin: str
) -> None:
    with Session(app.state.engine) as db_session:
        for waiting in ("sms-hash-one", "sms-hash-two"):
            db_session.add(PendingErasure(conversation_id=waiting))
        db_session.commit()
    retention = client.get("/staff/admin/retention").text
    assert "2 conversations are erased here but not yet in the assistant" in retention
    assert "sms-hash" not in retention
    assert "GMT" in retention or "BST" in retention  # the hub's time, named


def test_the_command_line_creates_the_first_admin(app: FastAPI, client: TestClient) -> None:
    environment = {
        **os.environ,
        "DATABASE_URL": app.state.settings.database_url,
        "FRONT_DOOR_NEW_PASSWORD": PASSWORD,
    }
    command = [sys.executable, "-m", "api.staff.cli", "create-user", "--email", "first@hub.example"]
    made = subprocess.run(
        [*command, "--name", "First Admin"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert sign_in(client, "first@hub.example").status_code == 303
    assert "Users" in client.get("/staff").text  # an admin's navigation
    again = subprocess.run(
        [*command, "--name", "Again"], env=environment, cwd=ROOT, capture_output=True, text=True
    )
    assert again.returncode == 1 and "email taken" in again.stderr


def test_a_referral_that_does_not_exist_is_a_plain_404(
    client: TestClient, staff_member: str
) -> None:
    response = client.get("/staff/referrals/not-a-referral")
    assert response.status_code == 404 and "Not found" in response.text


def test_answers_keep_the_values_the_survivor_gave(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app, name="Zofia Wiśniewska", language_needs="بحاجة إلى مترجم")
    page = client.get(f"/staff/referrals/{referral.id}").text
    assert "Zofia Wiśniewska" in page and "بحاجة إلى مترجم" in page
    assert ANSWERS["children_ages"] in page


def test_staff_read_and_type_times_in_the_hubs_time_zone_across_summer_time(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    """ "Unsafe until 6 pm" means 6 pm in the UK, summer or winter: stored as 17:00 UTC in
    July (BST) and 18:00 UTC in December (GMT), and shown back as 18:00 with the zone."""
    referral = refer(app)
    page = f"/staff/referrals/{referral.id}"
    year = utcnow().year + 1
    for month, utc_hour, zone in ((7, 17, "BST"), (12, 18, "GMT")):
        post(
            client,
            f"{page}/contact-attempts",
            {"outcome": "unsafe", "way": "text", "retry_after": f"{year}-{month:02d}-01T18:00"},
            page,
        )
        with Session(app.state.engine) as session:
            attempt = session.exec(
                select(ContactAttempt).order_by(ContactAttempt.id.desc())  # type: ignore[union-attr]
            ).first()
        assert attempt is not None and attempt.retry_after is not None
        stored = attempt.retry_after
        assert (stored.month, stored.hour) == (month, utc_hour)
        assert f"01 {'Jul' if month == 7 else 'Dec'} {year} 18:00 {zone}" in client.get(page).text
    assert "Europe/London time" in client.get(page).text
