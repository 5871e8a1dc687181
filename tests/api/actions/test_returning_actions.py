"""Coming back with a reference, as the actions see it: real checks by the API's service on
a real database, trackers built as Rasa would send them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.actions.deps import ActionDeps
from api.actions.referral import ActionReferralFinish, ActionReferralWho
from api.actions.returning import (
    CODE_OFFERED,
    CODE_SENT,
    ActionAskReturnWord,
    ActionAskReturnWordNew,
    ActionReturning,
    ActionReturningSaveText,
    ActionReturningVerify,
    ActionReturnWordSave,
    ValidateReturningForm,
    ValidateReturnTextForm,
    ValidateReturnWordForm,
    choice_payload,
    link_payload,
)
from api.core.config import PROJECT_ROOT
from api.core.crypto import FieldCipher
from api.core.db import make_engine, migrate
from api.core.limits import DatabaseCounter, Limit, RateLimiter
from api.referrals import returning
from api.referrals.answers import NOT_ANSWERED, PLAIN_MESSAGE, SKIPPED
from api.referrals.models import Referral, ReferralUpdate
from api.referrals.outbound import OutboundSender
from api.referrals.returning import ReturningPolicy
from api.referrals.runtime import ReferralRuntime
from api.render.renderer import Renderer
from tests.api.actions.conftest import action_deps
from tests.api.channels.conftest import SURVIVOR, TwilioStandIn, channel_settings

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {}}
HOME = "conversation-that-sent-it"
HERE = "conversation-coming-back"
WORD = "marigold"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReferralRuntime]:
    url = f"sqlite:///{tmp_path / 'returning.db'}"
    migrate(url)
    engine = make_engine(url)
    yield ReferralRuntime(
        engine,
        FieldCipher([FieldCipher.new_key()]),
        ("webhook",),
        limiter=RateLimiter(DatabaseCounter(engine), engine, "limit-key-for-tests"),
        returning=ReturningPolicy(
            Limit("returning_per_reference", 3, 3600),
            Limit("returning_per_sender", 10, 3600),
            timedelta(minutes=15),
        ),
    )
    engine.dispose()


@pytest.fixture
def deps(store: ReferralRuntime) -> ActionDeps:
    return action_deps(store)


def tracker(
    slots: dict[str, Any] | None = None,
    *,
    sender: str = HERE,
    text: str = "",
    intent: str = "inform",
    choice: str | None = None,
    client: str = "client-hash",
    confidence: float = 1.0,
    channel: str = "web",
) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots={"requested_slot": None, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": "return_choice", "value": choice}] if choice else [],
            "metadata": {"locale": "en", "channel": channel, "client": client},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def keys(dispatcher: CollectingDispatcher) -> list[str]:
    return [
        (m.get("custom") or {}).get("key")
        or (m.get("custom") or {}).get("resource")
        or m["response"]
        for m in dispatcher.messages
    ]


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [
        b["payload"]
        for m in dispatcher.messages
        for b in (m.get("custom") or {}).get("buttons", [])
    ]


def sent(
    store: ReferralRuntime, *, word: str | None = WORD, answers: dict[str, Any] | None = None
) -> Referral:
    with Session(store.engine) as session:
        referral = store.submit(
            answers=answers or {"name": "Robin"}, referral_for="myself", locale="en",
            channel="web", conversation_id=HOME,
        )  # fmt: skip
        if word:
            assert returning.set_word(
                session, reference=referral.reference, conversation_id=HOME, word=word
            )
        return referral


async def run(action: Any, slots: dict[str, Any], **kwargs: Any) -> tuple[list[str], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(slots, **kwargs), DOMAIN)
    return keys(dispatcher), events


async def verified(deps: ActionDeps, reference: str, word: str = WORD, sender: str = HERE) -> str:
    _, events = await run(
        ActionReturningVerify(deps),
        {"return_reference": reference, "return_word": word},
        sender=sender,
    )
    token = next(e["value"] for e in events if e.get("name") == "return_token" and e["value"])
    return str(token)


# --- after "Send it": the word ----------------------------------------------------------


async def test_after_send_the_word_is_offered_for_the_reference_just_given(
    deps: ActionDeps,
) -> None:
    said, events = await run(
        ActionReferralFinish(deps),
        {"summary_ok": True, "referral_consent": True, "referral_for": "myself"},
        sender=HOME,
    )
    assert said[0] == "referral.sent" and "utter_menu" not in said
    assert "emergency.call_999" in said and "emergency.silent_solution" in said
    assert FollowupAction("return_word_form") in events
    reference = next(e["value"] for e in events if e.get("name") == "last_reference")
    assert reference.startswith("FD-")


@pytest.mark.parametrize("shared", ["yes", "unsure"])
async def test_no_word_is_offered_when_someone_else_may_see_their_phone(
    deps: ActionDeps, shared: str
) -> None:
    """The reference and the word side by side would let whoever checks the phone in."""
    said, events = await run(
        ActionReferralFinish(deps),
        {
            "summary_ok": True,
            "referral_consent": True,
            "referral_for": "myself",
            "contact_shared": shared,
        },
        sender=HOME,
    )
    assert said[0] == "referral.sent" and said[-1] == "utter_menu"
    assert FollowupAction("return_word_form") not in events


async def test_by_text_the_offer_says_the_word_stays_in_the_thread() -> None:
    said, _ = await run(ActionAskReturnWordNew(), {}, channel="sms")
    assert said == ["returning.word_offer_by_text"]
    said, _ = await run(ActionAskReturnWordNew(), {})
    assert said == ["returning.word_offer"]


def test_the_word_must_be_long_enough_and_is_never_asked_a_third_time() -> None:
    form = ValidateReturnWordForm()
    d = CollectingDispatcher()
    assert form.validate_return_word_new("abc", d, tracker(), DOMAIN) == {
        "return_word_new": None, "return_tries": 1,
    }  # fmt: skip
    assert keys(d) == ["returning.word_too_short"]
    again = form.validate_return_word_new("ab", d, tracker({"return_tries": 1}), DOMAIN)
    assert again["return_word_new"] == NOT_ANSWERED
    assert form.validate_return_word_new(SKIPPED, d, tracker(), DOMAIN) == {
        "return_word_new": SKIPPED
    }
    # The button that started the form ("Send it") is not a word, nor a try.
    d = CollectingDispatcher()
    assert form.validate_return_word_new("/affirm", d, tracker(), DOMAIN) == {
        "return_word_new": None
    }
    assert keys(d) == []


async def test_the_word_is_saved_as_a_hash_then_forgotten(
    store: ReferralRuntime, deps: ActionDeps
) -> None:
    referral = sent(store, word=None)
    said, events = await run(
        ActionReturnWordSave(deps),
        {"return_word_new": WORD, "last_reference": referral.reference},
        sender=HOME,
    )
    assert said == ["returning.word_saved", "utter_menu"]
    assert SlotSet("return_word_new", None) in events and SlotSet("last_reference", None) in events
    with Session(store.engine) as session:
        stored = session.get(Referral, referral.id)
        assert stored is not None and stored.return_word_hash is not None
        assert WORD not in stored.return_word_hash


async def test_another_conversation_cannot_set_the_word(
    store: ReferralRuntime, deps: ActionDeps
) -> None:
    referral = sent(store, word=None)
    said, _ = await run(
        ActionReturnWordSave(deps),
        {"return_word_new": WORD, "last_reference": referral.reference},
        sender="someone-typing-a-payload",
    )
    assert said == ["returning.word_not_saved", "utter_menu"]


# --- coming back: the check ----------------------------------------------------------------


def test_only_a_reference_is_taken_as_one() -> None:
    form = ValidateReturningForm()
    d = CollectingDispatcher()
    assert form.validate_return_reference("fd 7k3q 9mxa", d, tracker(), DOMAIN) == {
        "return_reference": "FD-7K3Q-9MXA", "return_tries": None,
    }  # fmt: skip
    assert form.validate_return_reference("he's here with a knife", d, tracker(), DOMAIN) == {
        "return_reference": None, "return_tries": 1,
    }  # fmt: skip
    assert keys(d) == ["returning.reference_not_valid"]
    twice = form.validate_return_reference("no idea", d, tracker({"return_tries": 1}), DOMAIN)
    assert twice == {"return_reference": NOT_ANSWERED, "return_word": NOT_ANSWERED}
    typed_payload = '/have_reference{"return_choice":"status"}'
    assert form.validate_return_word(typed_payload, d, tracker(), DOMAIN) == {"return_word": None}
    started = CollectingDispatcher()  # the menu's button, offered to the form as text
    assert form.validate_return_reference("/have_reference", started, tracker(), DOMAIN) == {
        "return_reference": None
    }
    assert keys(started) == []


async def test_the_right_word_opens_the_choices(store: ReferralRuntime, deps: ActionDeps) -> None:
    referral = sent(store)
    said, events = await run(
        ActionReturningVerify(deps),
        {"return_reference": referral.reference, "return_word": " MariGold "},
    )
    assert said == ["returning.verified"]
    assert any(e.get("name") == "return_token" and e["value"] for e in events)
    assert SlotSet("return_word", None) in events  # the word is not kept


async def test_each_step_renews_the_proof_so_time_runs_from_the_last_step(
    store: ReferralRuntime, deps: ActionDeps
) -> None:
    referral = sent(store)
    token = await verified(deps, referral.reference)

    def renewed(events: list[Any]) -> str:
        (fresh,) = [e["value"] for e in events if e.get("name") == "return_token"]
        assert fresh and fresh != token
        assert store.returning is not None
        with Session(store.engine) as session:
            found = returning.verified_referral(
                session, store.cipher, store.returning, token=fresh, conversation_id=HERE
            )
            assert found is not None and found.id == referral.id
            other = returning.verified_referral(
                session, store.cipher, store.returning, token=fresh, conversation_id="other"
            )
            assert other is None  # still this conversation's only
        return str(fresh)

    _, events = await run(ActionReturning(deps), {"return_token": token}, choice="news")
    fresh = renewed(events)
    slots = {"return_token": fresh, "return_kind": "news", "return_text": "He found my work"}
    said, events = await run(ActionReturningSaveText(deps), slots)
    assert said[0] == "returning.done.news"
    renewed(events)


async def test_every_failure_is_answered_the_same(store: ReferralRuntime, deps: ActionDeps) -> None:
    known = sent(store)
    no_word = sent(store, word=None)
    attempts = [
        {"return_reference": known.reference, "return_word": "wrong"},
        {"return_reference": "FD-2345-6789", "return_word": WORD},
        {"return_reference": no_word.reference, "return_word": WORD},
    ]
    answers = [await run(ActionReturningVerify(deps), slots) for slots in attempts]
    # over the limit for this reference (3 tries), even with the right word
    for _ in range(2):
        answers.append(
            await run(
                ActionReturningVerify(deps),
                {"return_reference": known.reference, "return_word": "x"},
            )
        )
    answers.append(await run(ActionReturningVerify(deps), attempts[0] | {"return_word": WORD}))
    said = {tuple(keys_) for keys_, _ in answers}
    assert said == {("returning.no_match", "returning.call_hub", "utter_menu")}
    assert all(
        not any(e.get("name") == "return_token" and e["value"] for e in ev) for _, ev in answers
    )


async def test_without_a_word_the_answer_does_not_depend_on_the_reference(
    store: ReferralRuntime,
    deps: ActionDeps,
) -> None:
    known = sent(store)
    for reference in (known.reference, "FD-2345-6789"):
        said, _ = await run(
            ActionReturningVerify(deps), {"return_reference": reference, "return_word": SKIPPED}
        )
        assert said == ["returning.no_word", "returning.call_hub", "utter_menu"]


# --- once checked -------------------------------------------------------------------------


async def test_a_choice_without_a_proof_starts_the_check(deps: ActionDeps) -> None:
    said, events = await run(ActionReturning(deps), {}, choice="withdraw_confirmed")
    assert said == ["returning.intro"]
    assert FollowupAction("returning_form") in events


@pytest.mark.parametrize("token", ["typed-by-hand", "gAAAAAforged"])
async def test_a_slot_set_by_typing_a_payload_proves_nothing(
    store: ReferralRuntime, deps: ActionDeps, token: str
) -> None:
    referral = sent(store)
    said, events = await run(
        ActionReturning(deps), {"return_token": token}, choice="withdraw_confirmed"
    )
    assert said == ["returning.check_again"] and FollowupAction("returning_form") in events
    with Session(store.engine) as session:
        assert session.get(Referral, referral.id) is not None


async def test_a_proof_from_another_conversation_proves_nothing(
    store: ReferralRuntime, deps: ActionDeps
) -> None:
    referral = sent(store)
    token = await verified(deps, referral.reference, sender="someone-else")
    said, _ = await run(ActionReturning(deps), {"return_token": token}, choice="status")
    assert said == ["returning.check_again"]


async def test_status_in_plain_words_and_what_next(
    store: ReferralRuntime, deps: ActionDeps
) -> None:
    referral = sent(store)
    token = await verified(deps, referral.reference)
    said, _ = await run(ActionReturning(deps), {"return_token": token}, choice="status")
    assert said == ["returning.status.received", "returning.anything_else"]


async def test_stop_all_messages_is_kept_for_staff(
    store: ReferralRuntime, deps: ActionDeps
) -> None:
    referral = sent(store)
    token = await verified(deps, referral.reference)
    d = CollectingDispatcher()
    await ActionReturning(deps).run(d, tracker({"return_token": token}, choice="contact"), DOMAIN)
    assert choice_payload("stop_messages") in payloads(d)
    said, _ = await run(ActionReturning(deps), {"return_token": token}, choice="stop_messages")
    # Nothing in the chat undoes it, so the way to be reached again is said: the hub's line.
    assert said == [
        "returning.done.stop_messages",
        "returning.call_hub",
        "returning.anything_else",
    ]
    with Session(store.engine) as session:
        kinds = session.exec(select(ReferralUpdate.kind)).all()
    assert kinds == ["stop_messages"]


async def test_a_new_number_is_checked_then_kept(store: ReferralRuntime, deps: ActionDeps) -> None:
    referral = sent(store)
    token = await verified(deps, referral.reference)
    _, events = await run(ActionReturning(deps), {"return_token": token}, choice="contact_number")
    assert FollowupAction("return_text_form") in events
    assert SlotSet("return_kind", "contact_number") in events
    form = ValidateReturnTextForm()
    d = CollectingDispatcher()
    kind = {"return_kind": "contact_number"}
    started = '/have_reference{"return_choice":"contact_number"}'
    assert form.validate_return_text(started, d, tracker(kind), DOMAIN) == {"return_text": None}
    assert keys(d) == []
    assert form.validate_return_text("12345", d, tracker(kind), DOMAIN)["return_text"] is None
    assert keys(d) == ["referral.invalid.phone"]
    number = form.validate_return_text("07700 900555", d, tracker(kind), DOMAIN)["return_text"]
    said, _ = await run(
        ActionReturningSaveText(deps), {"return_token": token, **kind, "return_text": number}
    )
    assert said == ["returning.done.contact_number", "returning.anything_else"]
    with Session(store.engine) as session:
        update = session.exec(select(ReferralUpdate)).one()
    assert store.cipher.decrypt(str(update.encrypted_detail))["text"] == number


async def test_withdrawal_asks_first_then_erases_everything(
    store: ReferralRuntime, deps: ActionDeps
) -> None:
    referral = sent(store)
    token = await verified(deps, referral.reference)
    d = CollectingDispatcher()
    await ActionReturning(deps).run(d, tracker({"return_token": token}, choice="withdraw"), DOMAIN)
    assert keys(d) == ["returning.withdraw_confirm"]
    assert payloads(d) == [choice_payload("withdraw_confirmed"), choice_payload("kept")]
    with Session(store.engine) as session:
        assert session.get(Referral, referral.id) is not None  # nothing yet
    said, events = await run(
        ActionReturning(deps), {"return_token": token}, choice="withdraw_confirmed"
    )
    assert said == ["returning.withdrawn", "emergency.call_999", "utter_menu"]
    assert SlotSet("return_token", None) in events
    with Session(store.engine) as session:
        assert session.get(Referral, referral.id) is None
    # The proof now leads nowhere.
    said, _ = await run(ActionReturning(deps), {"return_token": token}, choice="status")
    assert said == ["returning.check_again"]


async def test_with_the_database_down_nothing_changes_and_999_is_given(
    deps: ActionDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    def down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("database unreachable"))

    monkeypatch.setattr(returning, "verified_referral", down)
    for action, slots in (
        (ActionReturning(deps), {"return_token": "sealed"}),
        (ActionReturningSaveText(deps), {"return_token": "sealed", "return_kind": "news"}),
    ):
        said, events = await run(action, slots, choice="status")
        assert said == ["system.unavailable", "utter_menu"]
        assert SlotSet("return_token", None) in events


async def test_the_withdrawal_question_is_never_asked_a_third_time(
    store: ReferralRuntime,
    deps: ActionDeps,
) -> None:
    referral = sent(store)
    token = await verified(deps, referral.reference)
    asked = {"return_token": token, "return_kind": "withdraw_asked"}
    said, events = await run(ActionReturning(deps), asked, text="yes", intent="affirm")
    assert said == ["returning.withdraw_confirm"]
    assert SlotSet("return_tries", 1) in events
    said, _ = await run(
        ActionReturning(deps), {**asked, "return_tries": 1}, text="yes", intent="affirm"
    )
    assert said == ["returning.not_changed", "returning.anything_else"]
    with Session(store.engine) as session:
        assert session.get(Referral, referral.id) is not None


@pytest.mark.parametrize(
    ("typed", "intent", "confidence", "said"),
    [
        ("no", "deny", 0.98, ["returning.not_changed", "returning.anything_else"]),
        # Not a clear yes (the model half believes it): asked again, nothing deleted.
        ("maybe", "affirm", 0.6, ["returning.withdraw_confirm"]),
        ("what happens to my kids", "nlu_fallback", 0.3, ["returning.withdraw_confirm"]),
        # Not even a clear typed yes: it may answer something else (a danger message the API
        # answered itself in between). Only the button withdraws; asked again, with it.
        ("yes", "affirm", 0.99, ["returning.withdraw_confirm"]),
    ],
)
async def test_the_withdrawal_question_answered_in_words(
    store: ReferralRuntime,
    deps: ActionDeps,
    typed: str,
    intent: str,
    confidence: float,
    said: list[str],
) -> None:
    referral = sent(store)
    token = await verified(deps, referral.reference)
    slots = {"return_token": token, "return_kind": "withdraw_asked"}
    got, _ = await run(
        ActionReturning(deps), slots, text=typed, intent=intent, confidence=confidence
    )
    assert got == said
    with Session(store.engine) as session:
        assert session.get(Referral, referral.id) is not None


# --- no word: a code to the safe contact ---------------------------------------------------

BY_TEXT = {
    "contact_method": "text",
    "contact_detail": "07700 900123",
    "contact_shared": "no",
    "message_ok_text": PLAIN_MESSAGE,
}


@pytest.fixture
def stand_in() -> Iterator[TwilioStandIn]:
    twilio = TwilioStandIn()
    yield twilio
    twilio.server.shutdown()


@pytest.fixture
def texting(
    store: ReferralRuntime, tmp_path: Path, stand_in: TwilioStandIn
) -> Iterator[ReferralRuntime]:
    """The store with the app's sender, to a Twilio stand-in on loopback."""
    renderer = Renderer(PROJECT_ROOT / "content" / "locales", {})
    store.outbound = OutboundSender(channel_settings(tmp_path, stand_in.url), renderer)
    yield store
    store.outbound = None


def offered(reference: str) -> dict[str, Any]:
    return {"return_reference": reference, "return_kind": CODE_OFFERED}


async def test_without_a_word_a_code_is_offered_whatever_the_reference(
    deps: ActionDeps,
    texting: ReferralRuntime,
) -> None:
    known = sent(texting, answers=BY_TEXT)
    for reference in (known.reference, "FD-2345-6789"):
        d = CollectingDispatcher()
        slots = {"return_reference": reference, "return_word": SKIPPED}
        events = await ActionReturningVerify(deps).run(d, tracker(slots), DOMAIN)
        assert keys(d) == ["returning.code_offer"]
        assert payloads(d) == [choice_payload("send_code"), choice_payload("no_code")]
        assert SlotSet("return_kind", CODE_OFFERED) in events
        assert not any(e.get("name") == "return_reference" for e in events)  # kept to send


async def test_yes_gets_the_same_answer_whether_or_not_a_code_could_go(
    deps: ActionDeps, texting: ReferralRuntime, stand_in: TwilioStandIn
) -> None:
    allowed = sent(texting, word=None, answers=BY_TEXT)
    forbidden = sent(texting, word=None, answers={**BY_TEXT, "contact_shared": "yes"})
    answers = []
    for reference in (forbidden.reference, "FD-2345-6789", allowed.reference):
        said, events = await run(ActionReturning(deps), offered(reference), choice="send_code")
        await texting.codes_sent()
        answers.append((said, [e for e in events if e.get("name") != "return_reference"]))
    assert answers[0] == answers[1] == answers[2]
    said, events = answers[0]
    assert said == ["returning.code_sent", "returning.call_hub"]
    assert SlotSet("return_kind", CODE_SENT) in events
    assert FollowupAction("returning_form") in events
    (message,) = stand_in.sent  # one code only, for the referral whose contact allows it
    assert message["To"] == SURVIVOR


async def test_the_code_typed_opens_the_choices_once(
    deps: ActionDeps, texting: ReferralRuntime, stand_in: TwilioStandIn
) -> None:
    referral = sent(texting, word=None, answers=BY_TEXT)
    await run(ActionReturning(deps), offered(referral.reference), choice="send_code")
    await texting.codes_sent()
    said, _ = await run(ActionAskReturnWord(), {"return_kind": CODE_SENT})
    assert said == ["returning.ask_code"]
    code = next(word for word in stand_in.sent[0]["Body"].split() if word.rstrip(".").isdigit())
    slots = {
        "return_reference": referral.reference,
        "return_word": code.rstrip("."),
        "return_kind": CODE_SENT,
    }
    said, events = await run(ActionReturningVerify(deps), slots)
    assert said == ["returning.verified"]
    token = next(e["value"] for e in events if e.get("name") == "return_token" and e["value"])
    said, _ = await run(ActionReturning(deps), {"return_token": token}, choice="status")
    assert said == ["returning.status.received", "returning.anything_else"]
    # Used: the same code again is a wrong answer, answered like a wrong word.
    said, events = await run(ActionReturningVerify(deps), slots)
    assert said == ["returning.no_match", "returning.call_hub", "utter_menu"]
    assert not any(e.get("name") == "return_token" and e["value"] for e in events)


async def test_no_code_no_thanks_and_a_typed_payload_send_nothing(
    deps: ActionDeps, texting: ReferralRuntime, stand_in: TwilioStandIn
) -> None:
    referral = sent(texting, word=None, answers=BY_TEXT)
    no_word = ["returning.no_word", "returning.call_hub", "utter_menu"]
    # "No, thanks" to the offer.
    said, _ = await run(ActionReturning(deps), offered(referral.reference), choice="no_code")
    assert said == no_word
    # "Send a code" typed as a payload, with no offer made.
    said, _ = await run(
        ActionReturning(deps), {"return_reference": referral.reference}, choice="send_code"
    )
    assert said == no_word
    # "No code came" at the code question.
    slots = {"return_reference": referral.reference, "return_word": SKIPPED}
    said, events = await run(ActionReturningVerify(deps), {**slots, "return_kind": CODE_SENT})
    assert said == no_word and SlotSet("return_reference", None) in events
    await texting.codes_sent()
    assert stand_in.sent == []


# --- a second referral: linked only if they agree -----------------------------------------

SEND_IT = {"summary_ok": True, "referral_consent": True, "referral_for": "myself"}


def newest(engine: Engine) -> Referral:
    with Session(engine) as session:
        rows = session.exec(select(Referral)).all()
        return max(rows, key=lambda r: r.created_at)


async def test_after_the_check_a_new_referral_is_linked_when_they_agree(
    deps: ActionDeps,
    store: ReferralRuntime,
) -> None:
    earlier = sent(store)
    token = await verified(deps, earlier.reference)
    d = CollectingDispatcher()
    await ActionReturning(deps).run(d, tracker({"return_token": token}, choice="status"), DOMAIN)
    assert "/get_support" in payloads(d)  # a new referral without losing the proof
    d = CollectingDispatcher()
    assert await ActionReferralWho(deps).run(d, tracker({"return_token": token}), DOMAIN) == []
    assert keys(d) == ["returning.link_offer"]
    assert payloads(d) == [link_payload("link"), link_payload("no_link")]
    said, events = await run(ActionReferralWho(deps), {"return_token": token}, choice="link")
    assert said == ["returning.will_link", "referral.who"]
    (agreement,) = [e["value"] for e in events if e.get("name") == "return_token"]
    assert agreement and agreement != token
    # The agreement asks nothing more, and opens nothing else.
    said, _ = await run(ActionReferralWho(deps), {"return_token": agreement})
    assert said == ["referral.who"]
    said, _ = await run(ActionReturning(deps), {"return_token": agreement}, choice="status")
    assert said == ["returning.check_again"]
    said, _ = await run(ActionReferralFinish(deps), {**SEND_IT, "return_token": agreement})
    assert said[:2] == ["referral.sent", "returning.linked"]
    later = newest(store.engine)
    assert later.id != earlier.id and later.previous_referral_id == earlier.id


async def test_no_links_nothing(deps: ActionDeps, store: ReferralRuntime) -> None:
    earlier = sent(store)
    token = await verified(deps, earlier.reference)
    said, events = await run(ActionReferralWho(deps), {"return_token": token}, choice="no_link")
    assert said == ["returning.will_not_link", "referral.who"]
    assert SlotSet("return_token", None) in events
    said, _ = await run(ActionReferralFinish(deps), SEND_IT)
    assert "returning.linked" not in said
    assert newest(store.engine).previous_referral_id is None


@pytest.mark.parametrize("holder", ["proof only", "another conversation", "typed"])
async def test_only_an_agreement_sealed_here_links(
    deps: ActionDeps, store: ReferralRuntime, holder: str
) -> None:
    earlier = sent(store)
    token = await verified(deps, earlier.reference)
    if holder == "proof only":  # checked, never asked: not linked at "Send it"
        slot = token
    elif holder == "another conversation":
        _, events = await run(ActionReferralWho(deps), {"return_token": token}, choice="link")
        (slot,) = [e["value"] for e in events if e.get("name") == "return_token"]
    else:
        slot = "gAAAAAforged-agreement"
    sender = "someone-else" if holder == "another conversation" else HERE
    said, _ = await run(
        ActionReferralFinish(deps), {**SEND_IT, "return_token": slot}, sender=sender
    )
    assert "returning.linked" not in said
    assert newest(store.engine).previous_referral_id is None


async def test_without_a_proof_a_new_referral_starts_as_before(
    deps: ActionDeps, store: ReferralRuntime
) -> None:
    for slots in ({}, {"return_token": "typed-by-hand"}):
        said, events = await run(ActionReferralWho(deps), slots)
        assert said == ["referral.who"] and events == []
    # "Yes, link them" typed as a payload with nothing to link: nothing is.
    said, events = await run(ActionReferralWho(deps), {}, choice="link")
    assert said == ["returning.will_not_link", "referral.who"]
    assert events == [SlotSet("return_token", None)]
