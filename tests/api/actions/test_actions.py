"""Custom actions, run on trackers built with rasa_sdk as Rasa would send them."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from api.actions import hub_contact, referral
from api.actions.hub_contact import ActionBehaviourRoute, ActionHelplines
from api.actions.navigation import ActionBackToMenu
from api.actions.referral import (
    CHOOSING,
    FOR_MYSELF,
    ActionReferralFinish,
    AskQuestion,
    ValidateReferralForm,
    answers_from,
    free_text_answer,
    no_third_ask,
    shared_answer,
    show_summary,
)
from api.actions.safety_plan import (
    ActionSafetyPlan,
    ActionSafetyPlanAnswer,
    ActionStop,
    plan_content,
)
from api.actions.topics import ActionShowTopic
from api.hub.config import WEEKDAYS, OpeningTimes
from api.referrals.answers import NOT_ANSWERED, PLAIN_MESSAGE, SKIPPED
from tests.api.actions.conftest import action_deps, sample_hub

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {}}
DEPS = action_deps()


def tracker(
    slots: dict[str, Any] | None = None,
    *,
    active_loop: str | None = None,
    text: str = "",
    intent: str = "inform",
    confidence: float = 0.0,
    channel: str = "web",
) -> Tracker:
    return Tracker(
        sender_id="test",
        slots={"requested_slot": None, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": [],
            "metadata": {"locale": "en", "channel": channel},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def keys(dispatcher: CollectingDispatcher) -> list[str]:
    found = []
    for message in dispatcher.messages:
        custom = message.get("custom") or {}
        found.append(custom.get("key") or custom.get("resource") or message.get("response"))
    return found


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [
        b["payload"]
        for m in dispatcher.messages
        for b in (m.get("custom") or {}).get("buttons", [])
    ]


async def test_back_to_menu_leaves_a_form_and_forgets_answers() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionBackToMenu().run(
        dispatcher,
        tracker({"referral_consent": True, "age": 30}, active_loop="referral_form"),
        DOMAIN,
    )
    assert ActiveLoop(None) in events
    assert SlotSet("age", None) in events and SlotSet("referral_consent", None) in events
    assert keys(dispatcher) == ["utter_menu"]


# --- the referral form --------------------------------------------------------------------

form = ValidateReferralForm(DEPS)


async def test_questions_follow_the_answers() -> None:
    asked = await form.required_slots(FOR_MYSELF, CollectingDispatcher(), tracker(), DOMAIN)
    assert "message_ok_text" not in asked and "children_ages" not in asked
    asked = await form.required_slots(
        FOR_MYSELF,
        CollectingDispatcher(),
        tracker({"voicemail_ok": True, "children_count": 2}),
        DOMAIN,
    )
    assert "message_ok_text" in asked and "children_ages" in asked


@pytest.mark.parametrize("outcome", ["declined", "under_age", "out_of_area"])
async def test_the_form_ends_early_when_we_cannot_take_the_referral(outcome: str) -> None:
    asked = await form.required_slots(
        FOR_MYSELF, CollectingDispatcher(), tracker({"referral_outcome": outcome}), DOMAIN
    )
    assert asked == []


def test_consent() -> None:
    d = CollectingDispatcher()
    pressed = tracker(text="/affirm", intent="affirm")
    assert form.validate_referral_consent(True, d, pressed, DOMAIN) == {"referral_consent": True}
    assert (
        form.validate_referral_consent(False, d, tracker(), DOMAIN)["referral_outcome"]
        == "declined"
    )
    assert form.validate_referral_consent("hmm", d, tracker(), DOMAIN) == {"referral_consent": None}


@pytest.mark.parametrize(
    ("answer", "result"),
    [("17", {"age": 17}), ("15", {"age": 15, "referral_outcome": "under_age"})],
)
def test_age(answer: str, result: dict[str, Any]) -> None:
    assert form.validate_age(answer, CollectingDispatcher(), tracker(), DOMAIN) == result


@pytest.mark.parametrize("answer", ["banana", "skipped", "16 or 17"])
def test_unclear_age_is_asked_again(answer: str) -> None:
    dispatcher = CollectingDispatcher()
    assert form.validate_age(answer, dispatcher, tracker(), DOMAIN) == {"age": None}
    assert keys(dispatcher) == ["referral.invalid.age"]


def test_only_a_clear_no_ends_the_referral_as_out_of_area() -> None:
    postcode = form.validate_area("LS1 4AP", CollectingDispatcher(), tracker(), DOMAIN)
    assert postcode["area_status"] == "unsure" and "referral_outcome" not in postcode
    unsure = form.validate_area("not sure", CollectingDispatcher(), tracker(), DOMAIN)
    assert unsure["area_status"] == "unsure" and "referral_outcome" not in unsure
    said_no = tracker(text="/deny", intent="deny")
    result = form.validate_area("no", CollectingDispatcher(), said_no, DOMAIN)
    assert result["referral_outcome"] == "out_of_area"
    # However the model reads it, a reply that begins with a clear no is a no.
    for text in ("no, i live in manchester", "nope. leeds", "No! Leeds"):
        typed = form.validate_area(text, CollectingDispatcher(), tracker(), DOMAIN)
        assert typed["referral_outcome"] == "out_of_area", text
    # Not sure, a town in the area, or a "no" the model is unsure of: staff check it.
    for text, status in [
        ("no, not sure", "unsure"),
        ("no i dont know", "unsure"),
        ("No, I live in Harrogate", "in_area"),
    ]:
        typed = form.validate_area(text, CollectingDispatcher(), tracker(), DOMAIN)
        assert typed["area_status"] == status and "referral_outcome" not in typed, text
    unsure_no = tracker(text="i'm not sure it is", intent="deny", confidence=0.6)
    typed = form.validate_area("i'm not sure it is", CollectingDispatcher(), unsure_no, DOMAIN)
    assert "referral_outcome" not in typed


def test_phone_or_email_checked_by_method() -> None:
    d = CollectingDispatcher()
    phone = tracker({"contact_method": "text"})
    assert form.validate_contact_detail("+44 7700 900123", d, phone, DOMAIN) == {
        "contact_detail": "07700 900123"
    }
    assert form.validate_contact_detail("12345", d, phone, DOMAIN) == {"contact_detail": None}
    email = tracker({"contact_method": "email"})
    assert form.validate_contact_detail("jo@example.com", d, email, DOMAIN) == {
        "contact_detail": "jo@example.com"
    }
    assert keys(d) == ["referral.invalid.phone"]


def test_free_text_for_a_yes_or_no_question_is_asked_again() -> None:
    dispatcher = CollectingDispatcher()
    validate = form.validate_voicemail_ok  # type: ignore[attr-defined]
    assert validate("maybe", dispatcher, tracker(), DOMAIN) == {"voicemail_ok": None}
    # Skip (the button, or "skip" typed) arrives as the sentinel; the typed word "skipped"
    # is free text like any other.
    assert validate(SKIPPED, dispatcher, tracker(), DOMAIN) == {"voicemail_ok": SKIPPED}
    assert validate("skipped", dispatcher, tracker(), DOMAIN) == {"voicemail_ok": None}
    assert validate(False, dispatcher, tracker(), DOMAIN) == {"voicemail_ok": False}


def test_needs_are_chosen_one_by_one_then_done() -> None:
    d = CollectingDispatcher()
    first = form.validate_needs("housing", d, tracker(), DOMAIN)
    assert first == {"needs": None, "needs_chosen": ["housing"]}
    done = form.validate_needs("done", d, tracker({"needs_chosen": ["housing", "money"]}), DOMAIN)
    assert done == {"needs": ["housing", "money"], "needs_chosen": None}


def test_changing_an_answer_from_the_summary() -> None:
    d = CollectingDispatcher()
    choosing = form.validate_summary_ok(False, d, tracker({"name": "Sam"}), DOMAIN)
    assert choosing == {"summary_ok": None, "change": CHOOSING}
    assert '/deny{"change":"name"}' in payloads(d)
    cleared = form.validate_summary_ok(False, d, tracker({"change": "voicemail_ok"}), DOMAIN)
    assert cleared["voicemail_ok"] is None and cleared["message_ok_text"] is None


async def test_every_question_has_an_ask_action_with_buttons_where_needed() -> None:
    for slot in FOR_MYSELF:
        dispatcher = CollectingDispatcher()
        await AskQuestion(DEPS, slot).run(dispatcher, tracker({"contact_method": "call"}), DOMAIN)
        assert keys(dispatcher)[-1].startswith("referral.ask."), slot
    dispatcher = CollectingDispatcher()
    await AskQuestion(DEPS, "summary_ok").run(
        dispatcher, tracker({"name": "Sam", "age": 30}), DOMAIN
    )
    assert keys(dispatcher) == ["referral.summary_intro", "referral.ask.summary_ok"]


@pytest.mark.parametrize("outcome", ["declined", "under_age", "out_of_area"])
async def test_finish_explains_and_forgets(outcome: str) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionReferralFinish(DEPS).run(
        dispatcher, tracker({"referral_outcome": outcome, "age": 14}), DOMAIN
    )
    assert keys(dispatcher) == [f"referral.outcome_{outcome}", "utter_menu"]
    assert SlotSet("age", None) in events


# --- safety planning ------------------------------------------------------------------------


async def test_plan_offers_modules_then_steps() -> None:
    dispatcher = CollectingDispatcher()
    await ActionSafetyPlan().run(dispatcher, tracker(), DOMAIN)
    assert keys(dispatcher) == ["plan.intro", "plan.choose_module"]
    dispatcher = CollectingDispatcher()
    events = await ActionSafetyPlan().run(dispatcher, tracker({"plan_module": "home"}), DOMAIN)
    assert keys(dispatcher) == ["plan.steps.home.safer_room"]
    assert SlotSet("plan_step", 0) in events


async def test_text_only_channels_warn_first_and_offer_a_shorter_plan() -> None:
    dispatcher = CollectingDispatcher()
    await ActionSafetyPlan().run(dispatcher, tracker(channel="sms"), DOMAIN)
    assert keys(dispatcher) == ["plan.text_only_warning"]
    assert '/safety_plan{"plan_mode":"short"}' in payloads(dispatcher)


async def test_adding_and_skipping_steps_ends_in_a_summary_that_is_not_kept() -> None:
    slots: dict[str, Any] = {"plan_module": "tech", "plan_step": 0, "plan_items": []}
    # Every other step added, however many steps the module has today.
    steps = plan_content().modules["tech"]
    answers = ["affirm" if n % 2 == 0 else "deny" for n in range(len(steps))]
    chosen = []
    for step, intent in zip(steps, answers, strict=True):
        dispatcher = CollectingDispatcher()
        events = await ActionSafetyPlanAnswer(DEPS).run(
            dispatcher, tracker(slots, intent=intent), DOMAIN
        )
        for event in events:
            slots[event["name"]] = event["value"]
        if intent == "affirm":
            chosen.append(f"plan.steps.tech.{step}")
    summary = dispatcher.messages[0]["custom"]
    assert summary["key"] == "plan.summary" and summary["items"] == chosen
    assert slots["plan_module"] is None and slots["plan_items"] is None


async def test_the_phones_and_online_plan_warns_before_any_change() -> None:
    """The first step of the module, in the shorter version too, is the warning that a
    change can tell them and can delete evidence."""
    dispatcher = CollectingDispatcher()
    await ActionSafetyPlan().run(dispatcher, tracker({"plan_module": "tech"}), DOMAIN)
    assert keys(dispatcher) == ["plan.steps.tech.before_changing"]
    assert plan_content().steps("tech", "short")[0] == "before_changing"


async def test_stop_midway_shows_what_was_chosen() -> None:
    dispatcher = CollectingDispatcher()
    slots = {"plan_module": "home", "plan_step": 2, "plan_items": ["plan.steps.home.safer_room"]}
    await ActionStop().run(dispatcher, tracker(slots), DOMAIN)
    assert keys(dispatcher)[0] == "plan.summary"


# --- topics ---------------------------------------------------------------------------------


async def test_a_question_in_words_finds_its_topic() -> None:
    dispatcher = CollectingDispatcher()
    await ActionShowTopic(DEPS).run(dispatcher, tracker(text="what is coercive control"), DOMAIN)
    assert keys(dispatcher) == ["coercive-control"]
    assert "/safety_plan" in payloads(dispatcher)


async def test_no_topic_shows_the_topic_menu_in_pages() -> None:
    dispatcher = CollectingDispatcher()
    await ActionShowTopic(DEPS).run(dispatcher, tracker(text="/understand_abuse"), DOMAIN)
    assert keys(dispatcher) == ["resources.choose"]
    assert '/understand_abuse{"topic":"page-1"}' in payloads(dispatcher)


@pytest.mark.parametrize(
    ("text", "confidence", "agreed"),
    [
        ("/affirm", 1.0, True),  # the button
        ("yes", 0.99, True),
        ("ok", 0.96, True),
        ("maybe", 0.64, False),  # a hedge the model half-reads as yes
        ("n", 0.5, False),  # a lone letter, taken for yes by an unsure model
    ],
)
def test_consent_and_send_need_a_clear_yes(text: str, confidence: float, agreed: bool) -> None:
    typed = _guess(text, "affirm", confidence, "referral_consent")
    d = CollectingDispatcher()
    consent = form.validate_referral_consent(True, d, typed, DOMAIN)
    send = form.validate_summary_ok(True, d, typed, DOMAIN)
    assert consent == {"referral_consent": True if agreed else None}
    assert send == {"summary_ok": True if agreed else None}
    if not agreed:
        assert keys(d) == ["referral.invalid.consent", "referral.invalid.summary"]


@pytest.mark.parametrize(
    ("text", "confidence", "kept"), [("/affirm", 1.0, True), ("yes", 0.99, True), ("n", 0.5, False)]
)
def test_a_safe_contact_yes_must_be_clear_too(text: str, confidence: float, kept: bool) -> None:
    # A wrong yes here could mean a voicemail left on a phone the abuser checks.
    d = CollectingDispatcher()
    typed = _guess(text, "affirm", confidence, "voicemail_ok")
    validate = form.validate_voicemail_ok  # type: ignore[attr-defined]
    assert validate(True, d, typed, DOMAIN) == {"voicemail_ok": True if kept else None}
    assert keys(d) == ([] if kept else ["referral.invalid.yes_no"])


def _guess(text: str, intent: str, confidence: float, requested: str = "name") -> Tracker:
    guessed = tracker({"requested_slot": requested}, active_loop="referral_form", text=text)
    guessed.latest_message["intent"] = {"name": intent, "confidence": confidence}
    return guessed


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "requested", "kept"),
    [
        ("Ottoline", "talk_to_someone", 0.78, "name", True),  # an unsure guess: a name
        ("talk to someone", "talk_to_someone", 0.99, "name", False),  # sure: not a name
        ("help", "help", 0.6, "name", False),  # a command, however unsure
        ("stop", "stop", 0.5, "contact_times", False),
        ("Polski", "choose_language", 0.8, "language_needs", True),
        ("Ottoline", "talk_to_someone", 0.78, "age", False),  # not a free-text question
        ("/skip", "skip", 1.0, "name", False),
    ],
)
def test_an_unsure_guess_at_a_free_text_question_is_the_answer(
    text: str, intent: str, confidence: float, requested: str, kept: bool
) -> None:
    events = free_text_answer(_guess(text, intent, confidence, requested))
    assert events == ([SlotSet(requested, text)] if kept else [])


@pytest.mark.parametrize(("answer", "said"), [(True, ["referral.strangled_care"]), (False, [])])
def test_a_yes_to_strangulation_gets_a_line_about_medical_help(
    answer: bool, said: list[str]
) -> None:
    dispatcher = CollectingDispatcher()
    typed = tracker(text="yes" if answer else "no")
    result = form.validate_risk_strangled(answer, dispatcher, typed, DOMAIN)  # type: ignore[attr-defined]
    assert result == {"risk_strangled": answer}
    assert keys(dispatcher) == said


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("please stop i dont want to do this", "stop", 0.8),
        ("menu", "menu", 0.4),
        ("he's coming back now", "emergency", 0.75),
        ("i want to talk to a real person", "talk_to_someone", 0.97),
    ],
)
def test_a_command_mid_question_is_let_through_not_counted(
    text: str, intent: str, confidence: float
) -> None:
    """The form must not hold on to a command: counting it as a reply not understood would
    keep the form and stop the command's rule from running."""
    asked = tracker(
        {"requested_slot": "children_count"},
        active_loop="referral_form",
        text=text,
        intent=intent,
        confidence=confidence,
    )
    assert no_third_ask(CollectingDispatcher(), asked, [], explained=False) == []


def test_a_reply_not_understood_is_counted_then_moved_on() -> None:
    asked = {"requested_slot": "children_count"}
    first = tracker(asked, active_loop="referral_form", text="erm", confidence=0.5)
    dispatcher = CollectingDispatcher()
    assert no_third_ask(dispatcher, first, [], explained=False) == [
        SlotSet("attempts", {"children_count": 1})
    ]
    second = tracker(
        {**asked, "attempts": {"children_count": 1}},
        active_loop="referral_form",
        text="erm",
        confidence=0.5,
    )
    moved = no_third_ask(CollectingDispatcher(), second, [], explained=True)
    assert SlotSet("children_count", "__not_answered__") in moved


# --- safe contact: who else sees it, and what a first message may say -------------------


async def _asked(slots: dict[str, Any]) -> list[str]:
    return await form.required_slots(FOR_MYSELF, CollectingDispatcher(), tracker(slots), DOMAIN)


async def test_who_else_sees_it_is_asked_after_the_detail_and_a_safer_way_only_after_yes() -> None:
    asked = await _asked({"contact_method": "text"})
    assert asked.index("contact_detail") + 1 == asked.index("contact_shared")
    assert "contact_change" not in asked
    for answer in ("yes", "unsure"):
        asked = await _asked({"contact_method": "text", "contact_shared": answer})
        assert asked.index("contact_shared") + 1 == asked.index("contact_change")
    for answer in ("no", SKIPPED, NOT_ANSWERED):
        assert "contact_change" not in await _asked({"contact_shared": answer})
    nobody_to_reach = await _asked({"contact_method": NOT_ANSWERED})
    assert "contact_shared" not in nobody_to_reach and "contact_change" not in nobody_to_reach


@pytest.mark.parametrize("method", ["text", "whatsapp", "email"])
@pytest.mark.parametrize("voicemail", [True, False, SKIPPED, None])
async def test_what_a_first_message_may_say_is_asked_whatever_the_voicemail_answer(
    method: str, voicemail: Any
) -> None:
    assert "message_ok_text" in await _asked({"contact_method": method, "voicemail_ok": voicemail})


async def test_for_a_call_the_message_question_follows_a_yes_to_voicemail() -> None:
    assert "message_ok_text" in await _asked({"contact_method": "call", "voicemail_ok": True})
    assert "message_ok_text" not in await _asked({"contact_method": "call", "voicemail_ok": False})


async def test_who_else_sees_it_names_the_phone_or_the_email_with_four_answers() -> None:
    for method, key in (("text", "phone"), ("call", "phone"), ("email", "email")):
        dispatcher = CollectingDispatcher()
        await AskQuestion(DEPS, "contact_shared").run(
            dispatcher, tracker({"contact_method": method}), DOMAIN
        )
        assert keys(dispatcher) == [f"referral.ask.contact_shared_{key}"]
    assert payloads(dispatcher) == [
        "/affirm", "/deny", '/inform{"contact_shared":"unsure"}', "/skip"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "locale", "answer"),
    [
        ("/affirm", "affirm", 1.0, "en", "yes"),
        ("/deny", "deny", 1.0, "en", "no"),
        ('/inform{"contact_shared":"unsure"}', "inform", 1.0, "en", "unsure"),
        ("yes", "affirm", 0.99, "en", "yes"),
        ("no", "deny", 0.99, "en", "no"),
        ("nope", "help", 0.6, "en", "no"),  # a clear no, whatever the model guessed
        ("no, not sure", "deny", 0.95, "en", "unsure"),  # not sure wins over no
        ("i dont know", "help", 0.8, "en", "unsure"),
        ("tak", "affirm", 0.9, "pl", "yes"),
        ("nie", "deny", 0.9, "pl", "no"),
        ("nie wiem", "deny", 0.7, "pl", "unsure"),
        ("جی ہاں", "affirm", 0.9, "ur", "yes"),
        ("نہیں", "deny", 0.9, "ur", "no"),
        ("پتا نہیں", "deny", 0.8, "ur", "unsure"),
        ("نعم", "affirm", 0.9, "ar", "yes"),
        ("لا", "deny", 0.9, "ar", "no"),
        ("مش متأكدة", "deny", 0.6, "ar", "unsure"),
        ("maybe no", "deny", 0.6, "en", "unsure"),
        ("banana", "deny", 0.5, "en", None),  # a no the model half believes is not a no
        ("he reads my texts", "inform", 0.4, "en", None),
    ],
)
def test_who_else_sees_it_is_read_in_four_languages(
    text: str, intent: str, confidence: float, locale: str, answer: str | None
) -> None:
    typed = _guess(text, intent, confidence, "contact_shared")
    typed.latest_message["metadata"]["locale"] = locale
    slot_value = {"affirm": "yes", "deny": "no"}.get(intent, text)
    if text.startswith("/inform"):
        slot_value = "unsure"
    d = CollectingDispatcher()
    assert form.validate_contact_shared(slot_value, d, typed, DOMAIN) == {"contact_shared": answer}
    said = keys(d)
    if answer in {"yes", "unsure"}:
        assert said == ["referral.contact_shared_care"]  # calm: the hub will take care
    elif answer is None:
        assert said == ["referral.invalid.contact_shared"]
    else:
        assert said == []


def test_a_typed_answer_to_who_else_sees_it_is_taken_before_any_command_rule() -> None:
    events = form_extraction(_guess("not sure", "help", 0.8, "contact_shared"))
    assert SlotSet("contact_shared", "unsure") in events
    assert form_extraction(_guess("skip", "skip", 0.99, "contact_shared")) == []


def form_extraction(typed: Tracker) -> list[Any]:
    return shared_answer(typed, "en")


def test_who_else_sees_it_is_never_asked_a_third_time() -> None:
    asked = {"requested_slot": "contact_shared", "attempts": {"contact_shared": 1}}
    second = tracker(asked, active_loop="referral_form", text="hmm", confidence=0.5)
    moved = no_third_ask(CollectingDispatcher(), second, [], explained=True)
    assert SlotSet("contact_shared", NOT_ANSWERED) in moved


def test_a_safer_way_asks_the_method_and_detail_again_once() -> None:
    d = CollectingDispatcher()
    pressed = tracker(text="/affirm", intent="affirm", confidence=1.0)
    changed = form.validate_contact_change(True, d, pressed, DOMAIN)
    assert changed == {
        "contact_change": True,  # answered: the offer is not made again
        "contact_method": None,
        "contact_detail": None,
        "contact_shared": None,
    }
    kept = form.validate_contact_change(False, d, tracker(text="/deny", intent="deny"), DOMAIN)
    assert kept == {"contact_change": False}
    assert form.validate_contact_change("erm", d, tracker(), DOMAIN) == {"contact_change": None}


async def test_after_a_change_the_offer_is_not_made_again() -> None:
    asked = await _asked(
        {"contact_method": "text", "contact_shared": "yes", "contact_change": True}
    )
    assert "contact_change" in asked  # still required, but already answered: not asked
    slots = {"contact_change": True, "contact_shared": "yes"}
    answers = answers_from(tracker(slots))
    assert "contact_change" not in answers and answers["contact_shared"] == "yes"


async def test_the_plain_message_is_a_button_and_is_kept_as_chosen() -> None:
    dispatcher = CollectingDispatcher()
    await AskQuestion(DEPS, "message_ok_text").run(
        dispatcher, tracker({"contact_method": "text"}), DOMAIN
    )
    assert payloads(dispatcher) == ['/inform{"first_message":"__plain_message__"}', "/skip"]
    d = CollectingDispatcher()
    pressed = tracker(text='/inform{"first_message":"__plain_message__"}')
    chosen = form.validate_message_ok_text(PLAIN_MESSAGE, d, pressed, DOMAIN)
    assert chosen == {"message_ok_text": PLAIN_MESSAGE}
    own = form.validate_message_ok_text("say it's the dentist", d, tracker(), DOMAIN)
    assert own == {"message_ok_text": "say it's the dentist"}
    summary = CollectingDispatcher()
    show_summary(summary, tracker({"message_ok_text": PLAIN_MESSAGE, "contact_shared": "unsure"}))
    lines = summary.messages[0]["custom"]["items"]
    assert {"proactive.first_message", "answer.not_sure"} <= {
        line.get("value_key") for line in lines
    }


def test_changing_the_way_to_reach_them_asks_who_else_sees_it_again() -> None:
    d = CollectingDispatcher()
    for field in ("contact_method", "contact_detail"):
        cleared = form.validate_summary_ok(False, d, tracker({"change": field}), DOMAIN)
        assert cleared["contact_shared"] is None


async def test_a_new_way_asks_about_messages_afresh() -> None:
    """A "no voicemail" kept from a call would rule out the texts chosen instead."""
    earlier = {"contact_method": "call", "voicemail_ok": False, "change": "contact_method"}
    cleared = form.validate_summary_ok(False, CollectingDispatcher(), tracker(earlier), DOMAIN)
    assert cleared["voicemail_ok"] is None and cleared["message_ok_text"] is None
    asked = await _asked({"contact_method": "text", "voicemail_ok": cleared["voicemail_ok"]})
    assert "voicemail_ok" not in asked and "message_ok_text" in asked


# --- the hub as first point of contact --------------------------------------------------


OPEN_HOURS = "2026-12-01T12:00:00+00:00"  # a Tuesday at noon
CLOSED_HOURS = "2026-12-01T21:00:00+00:00"  # the same Tuesday at 9pm


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (OPEN_HOURS, ["talk.hub_open", "talk.national", "talk.specialist"]),
        (CLOSED_HOURS, ["talk.national", "talk.hub_closed", "talk.specialist"]),
    ],
)
async def test_talk_to_someone_offers_the_hub_first_when_it_is_open(
    monkeypatch: pytest.MonkeyPatch, moment: str, expected: list[str]
) -> None:
    monkeypatch.setattr(hub_contact, "now", lambda: datetime.fromisoformat(moment))
    dispatcher = CollectingDispatcher()
    await ActionHelplines(DEPS).run(dispatcher, tracker(intent="talk_to_someone"), DOMAIN)
    assert keys(dispatcher) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (OPEN_HOURS, ["referral.hub_line", "referral.before_then"]),
        (CLOSED_HOURS, ["referral.while_closed"]),
    ],
)
def test_after_a_referral_out_of_hours_means_the_24_hour_helpline(
    moment: str, expected: list[str]
) -> None:
    at = datetime.fromisoformat(moment)
    assert hub_contact.after_referral_keys(sample_hub(), at) == expected
    without_contact = sample_hub().model_copy(update={"contact": None})
    assert hub_contact.after_referral_keys(without_contact, at) == ["referral.before_then"]
    assert hub_contact.talk_keys(without_contact, at) == ["talk.national"]


async def test_worry_about_own_behaviour_goes_to_the_programme_never_the_hub_queue() -> None:
    """The local programme takes its own referrals; the Respect Phone Line always; 999."""
    dispatcher = CollectingDispatcher()
    events = await ActionBehaviourRoute(DEPS).run(
        dispatcher, tracker(intent="for_my_behaviour"), DOMAIN
    )
    assert keys(dispatcher) == [
        "behaviour.intro",
        "behaviour.if_survivor",
        "behaviour.programme",
        "behaviour.respect",
        "behaviour.danger",
        "worried-about-your-behaviour",
    ]
    assert events == []  # no form, no answers kept
    without = sample_hub().model_copy(update={"behaviour_programme": None})
    assert hub_contact.behaviour_keys(without) == [
        "behaviour.intro",
        "behaviour.if_survivor",
        "behaviour.respect",
        "behaviour.danger",
    ]


async def test_hours_that_cannot_be_worked_out_still_give_the_24_hour_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the referral is stored, hub hours that cannot be worked out must not cost the
    survivor the helpline (or the rest of the answer): the national line instead of the
    hub's. The file is checked when the API starts; this is the net for anything that gets
    past the checks, here an opening time read as a number (YAML reads 9:00 as 540)."""
    monkeypatch.setattr(hub_contact, "now", lambda: datetime.fromisoformat(OPEN_HOURS))
    hours = OpeningTimes.model_construct(days=list(WEEKDAYS), opens=540, closes=time(17))
    contact = sample_hub().contact
    assert contact is not None
    broken = sample_hub().model_copy(
        update={"contact": contact.model_copy(update={"opening_times": [hours]})}
    )
    dispatcher = CollectingDispatcher()
    hub_contact.say_after_referral(dispatcher, broken)
    assert keys(dispatcher) == ["referral.before_then"]
    dispatcher = CollectingDispatcher()
    await ActionHelplines(action_deps(hub=broken)).run(
        dispatcher, tracker(intent="talk_to_someone"), DOMAIN
    )
    assert keys(dispatcher) == ["talk.national", "talk.specialist"]


# --- which contact questions follow the way chosen --------------------------------------


@pytest.mark.parametrize("method", ["text", "whatsapp", "email"])
async def test_a_written_way_is_never_asked_about_voicemail(method: str) -> None:
    """Choosing texts is agreeing to be written to: a "no" to "may we leave a message?"
    would rule out the very way they chose."""
    asked = await _asked({"contact_method": method})
    assert "voicemail_ok" not in asked and "message_ok_text" in asked


async def test_a_call_is_asked_about_voicemail_and_its_words_only_after_a_yes() -> None:
    assert "voicemail_ok" in await _asked({"contact_method": "call"})
    assert "message_ok_text" not in await _asked({"contact_method": "call", "voicemail_ok": False})
    assert "message_ok_text" in await _asked({"contact_method": "call", "voicemail_ok": True})


def test_ill_contact_you_is_offered_only_when_the_hub_has_a_line() -> None:
    choice = '/inform{"contact_method":"they_will_contact"}'
    hub = sample_hub()
    assert hub.contact is not None  # the sample hub has a line
    offered = [b["payload"] for b in referral.question_buttons("contact_method", tracker(), hub)]
    assert choice in offered
    no_line = hub.model_copy(update={"contact": None})
    offered = [
        b["payload"] for b in referral.question_buttons("contact_method", tracker(), no_line)
    ]
    assert choice not in offered
    dispatcher = CollectingDispatcher()
    without = ValidateReferralForm(action_deps(hub=no_line))
    got = without.validate_contact_method("they_will_contact", dispatcher, tracker(), DOMAIN)
    assert got == {"contact_method": None}
    assert keys(dispatcher) == ["referral.invalid.contact_method"]


async def test_ill_contact_you_asks_nothing_more_about_contact_and_clears_what_was_given() -> None:
    dispatcher = CollectingDispatcher()
    earlier = {"contact_method": "call", "contact_detail": "07700 900123", "voicemail_ok": True}
    got = form.validate_contact_method("i'll call you", dispatcher, tracker(earlier), DOMAIN)
    assert got["contact_method"] == referral.THEY_WILL_CONTACT
    assert all(got[slot] is None for slot in referral.CONTACT_FOLLOW_UPS)
    assert keys(dispatcher) == ["referral.they_will_contact"]
    asked = await _asked({"contact_method": referral.THEY_WILL_CONTACT})
    assert not set(asked) & referral.CONTACT_FOLLOW_UPS
    assert {"confirm_word", "children_count", "summary_ok"} <= set(asked)
