"""Safe contact in the console: a warning when someone else may see the phone or email,
only the ways of contact the survivor agreed to, and only the words they approved."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.core.audit import AuditEvent
from api.referrals.answers import NOT_ANSWERED, PLAIN_MESSAGE
from tests.api.staff.conftest import post, refer

WARNING = 'class="notice notice-warning shared-warning"'


def _attempt(client: TestClient, referral_id: str, way: str) -> str:
    page = f"/staff/referrals/{referral_id}"
    response = post(client, f"{page}/contact-attempts", {"outcome": "no_answer", "way": way}, page)
    return str(response.headers["location"])


def test_someone_else_using_the_phone_is_a_warning_at_the_top(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    for answer, words in [
        ("yes", "Someone else may use or check this phone."),
        ("unsure", "They are not sure whether someone else uses or checks this phone."),
        (NOT_ANSWERED, "We could not tell whether someone else uses or checks this phone."),
    ]:
        page = client.get(f"/staff/referrals/{refer(app, contact_shared=answer).id}").text
        assert WARNING in page and words in page
        assert page.index(words) < page.index("Safe contact")
    by_email = refer(app, contact_method="email", contact_detail="a@b.org", contact_shared="yes")
    page = client.get(f"/staff/referrals/{by_email.id}").text
    assert "Someone else may use or check this email account." in page
    private = client.get(f"/staff/referrals/{refer(app, contact_shared='no').id}").text
    assert WARNING not in private


def test_a_text_can_carry_only_the_words_they_approved(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)  # by text, "say it is the dentist"
    page = client.get(f"/staff/referrals/{referral.id}").text
    assert 'id="way-text"' in page and 'id="way-call"' not in page
    approved = page.split('id="approved-words"')[1].split("</textarea>")[0]
    assert approved.endswith(">say it is the dentist")

    assert _attempt(client, referral.id, "text").endswith("done=contact_recorded")
    assert _attempt(client, referral.id, "call").endswith("problem=way_not_agreed")
    assert _attempt(client, referral.id, "").endswith("problem=way_missing")
    assert (
        "Contact attempt (text message): No answer"
        in client.get(f"/staff/referrals/{referral.id}").text
    )
    with Session(app.state.engine) as db_session:
        details = [
            e.detail
            for e in db_session.exec(
                select(AuditEvent).where(AuditEvent.action == "contact_attempt")
            )
        ]
    assert details == ["no_answer by text"]


def test_the_plain_message_is_shown_in_their_language_and_in_english(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app, locale="pl", message_ok_text=PLAIN_MESSAGE)
    page = client.get(f"/staff/referrals/{referral.id}").text
    approved = page.split('id="approved-words"')[1].split("</textarea>")[0]
    assert approved.endswith(
        ">Cześć, odpowiadam na wiadomość. Odpisz albo oddzwoń, kiedy będzie ci wygodnie."
    )
    assert "In English: Hi, just returning your message." in page


def test_no_text_is_offered_when_they_said_messages_are_not_safe(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app, voicemail_ok=False)
    page = client.get(f"/staff/referrals/{referral.id}").text
    assert 'id="way-text"' not in page and 'id="approved-words"' not in page
    assert "No text message: they said it is not safe to leave a voicemail or message." in page
    assert _attempt(client, referral.id, "text").endswith("problem=way_not_agreed")
    assert _attempt(client, referral.id, "they_contacted_us").endswith("done=contact_recorded")


def test_a_call_offers_a_voicemail_only_with_a_clear_yes_and_words(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    no_voicemail = refer(app, contact_method="call", voicemail_ok="__skipped__")
    page = client.get(f"/staff/referrals/{no_voicemail.id}").text
    assert 'id="way-call"' in page and 'id="way-voicemail"' not in page
    assert "No voicemail: they did not say a voicemail or message is safe." in page
    assert _attempt(client, no_voicemail.id, "voicemail").endswith("problem=way_not_agreed")

    no_words = refer(app, contact_method="call", message_ok_text="__skipped__")
    page = client.get(f"/staff/referrals/{no_words.id}").text
    assert 'id="way-voicemail"' not in page and "there are no words you may send" in page

    voicemail = refer(app, contact_method="call")
    page = client.get(f"/staff/referrals/{voicemail.id}").text
    assert 'id="way-voicemail"' in page and 'id="way-text"' not in page
    assert _attempt(client, voicemail.id, "voicemail").endswith("done=contact_recorded")
