"""The self-referral: who it is for, consent, eligibility, safe contact, needs, then send.

Consent comes before anything personal. Any answer that is not essential can be skipped.
"Stop" or withdrawing consent at any point discards everything collected. Nothing is stored
until the final "send it"; then the answers are stored encrypted and the survivor gets a
short reference, what happens next, and the emergency numbers again.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.actions import validators
from api.actions.context import channel_of, client_of, is_text_only
from api.actions.deps import ActionDeps, UsesDeps
from api.actions.hub_contact import say_after_referral
from api.actions.messages import say
from api.actions.parsing import (
    clear_answer,
    means_done,
    needs_in_text,
    parse_children,
    partly_yes,
    situation_in_text,
    sounds_unsure,
)
from api.actions.returning import earlier_referral_id, link_step
from api.core.payloads import intent_payload
from api.hub.config import HubConfig
from api.referrals.answers import NOT_ANSWERED, PLAIN_MESSAGE, SKIPPED

# Asked twice and still not understood: the flow moves on and says so (never a third ask).
MOST_ASKS = 2
CHOOSING = "choosing"  # the person is choosing which answer to change

# The questions, in the order they are asked. Some are asked only after certain answers.
FOR_MYSELF = [
    "referral_consent", "age", "area", "name",
    "contact_method", "contact_detail", "contact_shared", "contact_change", "contact_times",
    "voicemail_ok", "message_ok_text", "may_say_who", "confirm_word",
    "children_count", "children_ages", "pregnant",
    "situation", "situation_words",
    "risk_afraid", "risk_worse", "risk_strangled", "risk_threats",
    "needs", "language_needs", "summary_ok",
]  # fmt: skip
ALL_FORM_SLOTS = list(FOR_MYSELF)
BOOKKEEPING_SLOTS = [
    "referral_for", "referral_outcome", "area_status", "needs_chosen", "change", "attempts",
]  # fmt: skip
# Ways the form ends before "Send it": each has its own kind words (referral.outcome_*).
ENDINGS = {"declined", "under_age", "out_of_area", "unconfirmed"}
# The safe-contact questions that follow from a way to contact someone.
CONTACT_FOLLOW_UPS = {
    "contact_detail", "contact_shared", "contact_change", "contact_times", "voicemail_ok",
    "message_ok_text", "may_say_who",
}  # fmt: skip
# Whether anyone else uses or checks the phone or email given.
SHARED_ANSWERS = ("yes", "no", "unsure")
# Ways of contact that leave words behind: what a first message may say is always asked,
# and whether a voicemail may be left is not (choosing one is agreeing to be written to;
# a "no" there would have ruled out the very way they chose).
WRITTEN_METHODS = {"text", "whatsapp", "email"}
# "I'll contact you": nobody contacts them, so no safe-contact question follows. Offered
# only when the hub's configuration gives a line for them to call.
THEY_WILL_CONTACT = "they_will_contact"
# Answers that are bookkeeping for the flow, not for staff or the hub.
NOT_KEPT = {"summary_ok", "contact_change"}

# Questions that may be skipped; the rest are needed to help safely.
ESSENTIAL = {"referral_consent", "age", "area", "contact_method", "contact_detail", "summary_ok"}
RISK = {"risk_afraid", "risk_worse", "risk_strangled", "risk_threats"}
YES_NO = {
    "referral_consent", "contact_change", "voicemail_ok", "may_say_who", "pregnant",
    "risk_afraid", "risk_worse", "risk_strangled", "risk_threats", "summary_ok",
}  # fmt: skip
NEEDS = [
    "housing", "safety", "money", "children", "emotional_wellbeing", "mental_health",
    "physical_health", "legal", "immigration", "alcohol_or_drugs", "people_to_rely_on",
    "work_or_study",
]  # fmt: skip
SITUATIONS = ["living_together", "together_not_living", "separated", "other"]
METHODS = ["call", "text", "whatsapp", "email"]
# What a person may ask to change from the summary.
CHANGEABLE = [
    "name", "contact_method", "contact_detail", "contact_shared", "contact_times",
    "voicemail_ok", "message_ok_text", "may_say_who", "confirm_word", "children_count",
    "situation", "needs", "language_needs",
]  # fmt: skip


def _entity_payload(intent: str, **entities: str) -> str:
    return intent_payload(intent, **entities)


def _yes_no_buttons(slot: str) -> list[dict[str, str]]:
    buttons = [
        {"key": "answer.yes", "payload": "/affirm"},
        {"key": "answer.no", "payload": "/deny"},
    ]
    if slot not in ESSENTIAL:
        buttons.append({"key": "answer.skip", "payload": "/skip"})
    return buttons


# Questions answered with a number get no numbered buttons: on SMS, "1" would pick a button.
NUMBER_ANSWERS = {"age", "children_count"}
FREE_TEXT = {
    "name", "contact_times", "message_ok_text", "confirm_word",
    "children_ages", "situation_words", "language_needs",
}  # fmt: skip


# At a free-text question the model still guesses an intent for the answer, and an
# unusual name ("Ottoline") can come back as "talk to someone" with middling confidence.
# An unsure guess there is an answer; a confident one, or a command, is not.
SURE = 0.95
ALWAYS_COMMANDS = {"skip", "stop", "menu", "help", "emergency", "self_harm"}
# A command the model is only half sure of ("it's complicated" as 0.45 "help") is an
# answer, unless it is one word ("help", "stop").
COMMAND_SURE = 0.7


# Every yes must be a clear yes: consent, the final "send it", and the safe-contact
# questions, where a wrong yes could mean a voicemail on a shared phone. A typed reply the
# model only half believes is "yes" ("maybe", "i guess", a lone "n") is asked again; the
# buttons, and plain replies like "yes" or "ok", are well above this.
YES_SURE = 0.9


def typed_guess(tracker: Tracker) -> tuple[str, str | None, float]:
    """The latest message's text, and the intent the model guessed with its confidence."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    text = str(message.get("text") or "").strip()
    return text, intent.get("name"), float(intent.get("confidence") or 0.0)


def unsure_yes(tracker: Tracker, locale: str) -> bool:
    """The latest message was typed, and it is not a clear yes: neither in the plain words
    people use for yes (content/answer_words.yml), nor a yes the model is sure of."""
    text, intent, confidence = typed_guess(tracker)
    if text.startswith("/"):
        return False  # a button
    if clear_answer(text, locale) is True:
        return False
    if tracker.get_slot("requested_slot") in RISK and partly_yes(text, locale):
        return False  # "sometimes", "once": a yes for staff
    return intent != "affirm" or confidence < YES_SURE


def yes_no_answer(tracker: Tracker, locale: str) -> list[EventType]:
    """A typed clear yes or no to a yes/no question, whatever the model guessed it was."""
    slot = tracker.get_slot("requested_slot")
    if slot not in YES_NO:
        return []
    text, _, _ = typed_guess(tracker)
    if not text or text.startswith("/"):
        return []
    meaning = clear_answer(text, locale)
    if meaning is None and slot in RISK and partly_yes(text, locale):
        meaning = True  # "sometimes", "once": for staff, a yes
    return [] if meaning is None else [SlotSet(slot, meaning)]


def free_text_answer(tracker: Tracker) -> list[EventType]:
    """The message as the answer to the free-text question asked, when the model is unsure
    it meant anything else; nothing otherwise."""
    slot = tracker.get_slot("requested_slot")
    if slot not in FREE_TEXT | {"situation"} or tracker.get_slot(slot) is not None:
        return []
    text, intent, confidence = typed_guess(tracker)
    if not text or text.startswith("/") or confidence >= SURE:
        return []
    if is_command(text, intent, confidence):
        return []  # "help", "stop": a command, however unsure
    return [SlotSet(slot, text)]


def shared_meaning(value: Any, tracker: Tracker, locale: str) -> str | None:
    """ "yes", "no" or "unsure" for "does anyone else use or check it?"; None if unclear.
    Not sure wins over a no ("no, not sure"), and a no must be clear: a wrong no would let
    staff think the phone is private."""
    if value == SKIPPED:
        return SKIPPED
    text, intent, confidence = typed_guess(tracker)
    if not text or text.startswith("/"):
        return value if value in SHARED_ANSWERS else None
    if sounds_unsure(text, locale):
        return "unsure"
    meaning = clear_answer(text, locale)
    if meaning is None and confidence >= YES_SURE and intent in {"affirm", "deny"}:
        meaning = intent == "affirm"
    if meaning is None:
        return None
    return "yes" if meaning else "no"


def shared_answer(tracker: Tracker, locale: str) -> list[EventType]:
    """A typed answer to "does anyone else use or check it?", whatever intent the model
    guessed: "not sure" or "no" can look like a command to it."""
    if tracker.get_slot("requested_slot") != "contact_shared":
        return []
    text, _, _ = typed_guess(tracker)
    if not text or text.startswith("/"):
        return []
    answer = shared_meaning(text, tracker, locale)  # never a command word: "skip" or "help" is None
    return [] if answer is None else [SlotSet("contact_shared", answer)]


def is_command(text: str, intent: str | None, confidence: float) -> bool:
    """Stop, skip, menu, help, danger: a command when the model is fairly sure, or when it
    is one word. The form must then let it through to its rule, never count it as an
    answer that was not understood."""
    return intent in ALWAYS_COMMANDS and (confidence >= COMMAND_SURE or len(text.split()) == 1)


def _skip_button(slot: str, tracker: Tracker | None = None) -> list[dict[str, str]]:
    """Skip, for every question that may be skipped. By SMS and WhatsApp a question answered
    with a number gets no numbered options ("1" would pick one); its words say "or skip"."""
    if slot in ESSENTIAL:
        return []
    if slot in NUMBER_ANSWERS and (tracker is None or is_text_only(tracker)):
        return []
    return [{"key": "answer.skip", "payload": "/skip"}]


def question_buttons(slot: str, tracker: Tracker, hub: HubConfig) -> list[dict[str, str]]:
    """The buttons offered with each question."""
    if slot == "referral_consent":
        return [
            {"key": "referral.consent_yes", "payload": "/affirm"},
            {"key": "referral.consent_no", "payload": "/deny"},
        ]
    if slot == "summary_ok":
        return [
            {"key": "referral.send", "payload": "/affirm"},
            {"key": "referral.change", "payload": "/deny"},
            {"key": "referral.stop", "payload": "/stop"},
        ]
    if slot == "contact_shared":
        return [
            {"key": "answer.yes", "payload": "/affirm"},
            {"key": "answer.no", "payload": "/deny"},
            {
                "key": "answer.not_sure",
                "payload": _entity_payload("inform", contact_shared="unsure"),
            },
            {"key": "answer.skip", "payload": "/skip"},
        ]
    if slot == "contact_change":
        return [
            {"key": "referral.contact_change_yes", "payload": "/affirm"},
            {"key": "referral.contact_change_no", "payload": "/deny"},
        ]
    if slot == "message_ok_text":
        plain = _entity_payload("inform", first_message=PLAIN_MESSAGE)
        return [{"key": "referral.plain_message", "payload": plain}, *_skip_button(slot)]
    if slot in YES_NO:
        return _yes_no_buttons(slot)
    if slot == "contact_method":
        return [
            {"key": f"answer.method.{m}", "payload": _entity_payload("inform", contact_method=m)}
            for m in methods_offered(hub)
        ]
    if slot == "situation":
        return [
            {"key": f"answer.situation.{s}", "payload": _entity_payload("inform", situation=s)}
            for s in SITUATIONS
        ] + _skip_button(slot)
    if slot == "needs":
        chosen = set(tracker.get_slot("needs_chosen") or [])
        return [
            {"key": f"answer.need.{n}", "payload": _entity_payload("inform", need=n)}
            for n in NEEDS
            if n not in chosen
        ] + [{"key": "answer.done", "payload": _entity_payload("inform", need="done")}]
    return _skip_button(slot, tracker)


def methods_offered(hub: HubConfig) -> list[str]:
    return [*METHODS, THEY_WILL_CONTACT] if hub.contact is not None else METHODS


class AskQuestion(UsesDeps, Action):
    """Asks one referral question: action_ask_<slot>, one for each question."""

    def __init__(self, deps: ActionDeps, slot: str) -> None:
        super().__init__(deps)
        self.slot = slot

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if self.slot == "summary_ok":
            if tracker.get_slot("change") == CHOOSING:
                # The "what would you like to change?" buttons were just shown; wait for one.
                return [SlotSet("change", None)]
            show_summary(dispatcher, tracker)
        key = f"referral.ask.{self.slot}"
        items: list[Any] = []
        if self.slot in {"contact_detail", "contact_shared"}:
            method = tracker.get_slot("contact_method")
            key = f"referral.ask.{self.slot}_{'email' if method == 'email' else 'phone'}"
        elif self.slot == "needs" and tracker.get_slot("needs_chosen"):
            # Say what has been taken so far, so a typed answer is never taken silently.
            key = "referral.ask.needs_more"
            items = needs_items(tracker.get_slot("needs_chosen"))
        dispatcher.utter_message(
            json_message={
                "key": key,
                "params": {"hub_days": self.deps.hub.first_contact_working_days},
                "items": items,
                "buttons": question_buttons(self.slot, tracker, self.deps.hub),
            }
        )
        return []


def needs_items(chosen: list[str]) -> list[Any]:
    """The needs chosen so far as list lines: catalog words, or the person's own."""
    return [
        f"answer.need.{need}"
        if need in NEEDS
        else {"key": "referral.own_words", "params": {"value": need}}
        for need in chosen
    ]


def _display(slot: str, value: Any) -> dict[str, Any]:
    """A summary line: catalog words for fixed answers, the person's own words otherwise."""
    line: dict[str, Any] = {"key": f"referral.summary.{slot}", "params": {"value": ""}}
    if value == SKIPPED or value is None:
        line["value_key"] = "answer.skipped"
    elif value == NOT_ANSWERED:
        line["value_key"] = "answer.not_answered"
    elif isinstance(value, bool):
        line["value_key"] = "answer.yes" if value else "answer.no"
    elif slot == "contact_method":
        line["value_key"] = f"answer.method.{value}"
    elif slot == "contact_shared" and value in SHARED_ANSWERS:
        line["value_key"] = {"yes": "answer.yes", "no": "answer.no"}.get(value, "answer.not_sure")
    elif slot == "message_ok_text" and value == PLAIN_MESSAGE:
        line["value_key"] = "proactive.first_message"
    elif slot == "situation" and value in SITUATIONS:
        line["value_key"] = f"answer.situation.{value}"
    elif slot == "needs":
        line["value_keys"] = [f"answer.need.{n}" for n in value if n in NEEDS]
        own = [str(n) for n in value if n not in NEEDS]
        if own:
            line["params"] = {"value": ", ".join(own)}
    else:
        line["params"] = {"value": str(value)}
    return line


def summary_slots(tracker: Tracker) -> list[str]:
    hidden = {"referral_consent", "summary_ok", "situation_words", "contact_change"}
    return [s for s in FOR_MYSELF if s not in hidden and tracker.get_slot(s) is not None]


def show_summary(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    lines = [_display(slot, tracker.get_slot(slot)) for slot in summary_slots(tracker)]
    dispatcher.utter_message(json_message={"key": "referral.summary_intro", "items": lines})


class ValidateReferralForm(UsesDeps, FormValidationAction):
    def name(self) -> str:
        return "validate_referral_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("referral_outcome") in ENDINGS:
            return []  # the form ends here, and action_referral_finish explains why
        slots = FOR_MYSELF
        skip = set()
        if NOT_ANSWERED in (tracker.get_slot("contact_method"), tracker.get_slot("contact_detail")):
            skip |= CONTACT_FOLLOW_UPS - {"contact_detail"}  # no way to contact: staff wait
            if tracker.get_slot("contact_method") == NOT_ANSWERED:
                skip.add("contact_detail")
        if tracker.get_slot("contact_method") == THEY_WILL_CONTACT:
            skip |= CONTACT_FOLLOW_UPS  # nobody will contact them: nothing to ask about it
        if tracker.get_slot("contact_shared") not in {"yes", "unsure"}:
            skip.add("contact_change")
        # What a first message may say: always for a written way of contact, and for a call
        # only when a voicemail or message may be left. Only a call asks about voicemail.
        written = tracker.get_slot("contact_method") in WRITTEN_METHODS
        if written:
            skip.add("voicemail_ok")
        elif tracker.get_slot("voicemail_ok") is not True:
            skip.add("message_ok_text")
        count = tracker.get_slot("children_count")
        if not (isinstance(count, int | float) and count > 0):
            skip.add("children_ages")
        return [s for s in slots if s not in skip]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = await super().get_extraction_events(dispatcher, tracker, domain)
        locale = self.locale(tracker)
        return [
            *events,
            *free_text_answer(tracker),
            *yes_no_answer(tracker, locale),
            *shared_answer(tracker, locale),
        ]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        said_before = len(dispatcher.messages)
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        explained = len(dispatcher.messages) > said_before
        return events + no_third_ask(dispatcher, tracker, events, explained=explained)

    # --- consent and eligibility -------------------------------------------------------

    def validate_referral_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is True and not unsure_yes(tracker, self.locale(tracker)):
            return {"referral_consent": True}
        if value is False:
            return {"referral_consent": False, "referral_outcome": "declined"}
        say(dispatcher, "referral.invalid.consent")
        return {"referral_consent": None}

    def validate_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        age = validators.parse_age(value)
        if age is None:
            say(dispatcher, "referral.invalid.age")
            return {"age": None}
        if age < self.deps.hub.minimum_age:
            return {"age": age, "referral_outcome": "under_age"}
        return {"age": age}

    def validate_area(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        config = self.deps.hub
        locale = self.locale(tracker)
        text, _, confidence = typed_guess(tracker)
        # "no, I live in Manchester": the first words are a clear no. "No, not sure" is
        # not: whoever is unsure goes on, and staff check the area.
        first_words = re.split(r"[,.;:!?،؛]", str(value), maxsplit=1)[0]
        leading = clear_answer(first_words, locale)
        unsure = sounds_unsure(str(value), locale)
        sure_no = intent == "deny" and (text.startswith("/") or confidence >= YES_SURE)
        status = validators.area_status(
            str(value),
            said_yes=not unsure and (intent == "affirm" or leading is True),
            said_no=not unsure and (sure_no or leading is False),
            postcodes=config.area_postcodes,
            place_names=config.area_names,
        )
        if status == "out_of_area":
            return {"area": str(value), "area_status": status, "referral_outcome": "out_of_area"}
        return {"area": str(value), "area_status": status}

    # --- safe contact ------------------------------------------------------------------

    def validate_contact_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        offered = methods_offered(self.deps.hub)
        method = value if value in offered else validators.contact_method_from_text(str(value))
        if method is None or method not in offered:
            say(dispatcher, "referral.invalid.contact_method")
            return {"contact_method": None}
        if method == THEY_WILL_CONTACT:
            say(dispatcher, "referral.they_will_contact")
            # Chosen again from the summary: what was given for another way goes.
            return {"contact_method": method, **dict.fromkeys(CONTACT_FOLLOW_UPS, None)}
        return {"contact_method": method}

    def validate_contact_detail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("contact_method") == "email":
            email = validators.valid_email(str(value))
            if email is None:
                say(dispatcher, "referral.invalid.email")
            return {"contact_detail": email}
        phone = validators.normalise_uk_phone(str(value))
        if phone is None:
            say(dispatcher, "referral.invalid.phone")
        return {"contact_detail": phone}

    def validate_contact_shared(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes, no or not sure. A yes, or not sure, gets a calm word that the hub will take
        care, and the next question offers a safer way."""
        answer = shared_meaning(value, tracker, self.locale(tracker))
        if answer is None:
            say(dispatcher, "referral.invalid.contact_shared")
        elif answer in {"yes", "unsure"}:
            say(dispatcher, "referral.contact_shared_care")
        return {"contact_shared": answer}

    def validate_contact_change(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A safer way: the method and detail are asked again. The offer stays answered, so
        it is made once, however the new detail is answered."""
        cleaned, problem = _yes_no(value, tracker, self.locale(tracker))
        if problem:
            say(dispatcher, problem)
            return {"contact_change": None}
        if cleaned is True:
            return {
                "contact_change": True,
                "contact_method": None,
                "contact_detail": None,
                "contact_shared": None,
            }
        return {"contact_change": cleaned}

    def validate_message_ok_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == PLAIN_MESSAGE:
            return {"message_ok_text": PLAIN_MESSAGE}
        cleaned, problem = _free_text(value, tracker, self.locale(tracker))
        if problem:
            say(dispatcher, problem)
        return {"message_ok_text": cleaned}

    def validate_children_count(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == SKIPPED:
            return {"children_count": SKIPPED}
        if value is False:
            return {"children_count": 0}
        answer = parse_children(value, self.locale(tracker))
        if answer is None:
            say(dispatcher, "referral.invalid.children_count")
            return {"children_count": None}
        if answer.ages and answer.count:  # "two, aged 4 and 7": both answers at once
            return {"children_count": answer.count, "children_ages": answer.ages}
        return {"children_count": answer.count}

    def validate_situation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A button, or typed words: read as one of the situations if they say which
        ("we split up"), and otherwise kept as "other" with their words for staff."""
        if value in SITUATIONS or value == SKIPPED:
            return {"situation": value}
        text = str(value)
        if text.startswith("/"):
            return {"situation": None}
        found = situation_in_text(text, self.locale(tracker))
        if found is None:
            return {"situation": "other", "situation_words": text[:500]}
        return {"situation": found}

    # --- what they want help with -------------------------------------------------------

    def validate_needs(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Buttons add one need; typed words may add several ("housing and money"), or end
        the choosing ("no", "that's all"). Anything else typed is kept in their words.
        Every answer either adds something, which the next question shows, or ends it."""
        chosen: list[str] = list(tracker.get_slot("needs_chosen") or [])
        text, _, _ = typed_guess(tracker)
        typed = bool(text) and not text.startswith("/")
        locale = self.locale(tracker)
        if value == SKIPPED or value == "done" or (typed and means_done(text, locale)):
            return {"needs": chosen or SKIPPED, "needs_chosen": None}
        named = needs_in_text(text, locale) if typed else []
        if value in NEEDS and not typed:
            named = [value]
        if not named and typed:
            named = [text[:300]]  # in their own words
        elif not named and isinstance(value, str):
            named = [value[:300]]
        chosen += [need for need in named if need not in chosen]
        return {"needs": None, "needs_chosen": chosen}

    # --- the summary --------------------------------------------------------------------

    def validate_summary_ok(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is True and not unsure_yes(tracker, self.locale(tracker)):
            return {"summary_ok": True}
        if value is not False:
            say(dispatcher, "referral.invalid.summary")
            return {"summary_ok": None}
        field = tracker.get_slot("change")
        if field in CHANGEABLE:
            # Forget that answer; the form asks it again, then shows the summary again.
            cleared: dict[str, Any] = {"summary_ok": None, "change": None, field: None}
            if field in {"contact_method", "contact_detail"}:
                # A new way to reach them: ask again whether anyone else sees it.
                cleared["contact_shared"] = None
            if field == "contact_method":
                # What a voicemail or message may be depends on the way: asked afresh (a
                # "no voicemail" kept from a call would rule out the texts now chosen).
                cleared |= {"contact_detail": None, "voicemail_ok": None, "message_ok_text": None}
            if field == "voicemail_ok":
                cleared["message_ok_text"] = None
            if field == "children_count":
                cleared["children_ages"] = None
            return cleared
        dispatcher.utter_message(
            json_message={
                "key": "referral.which_change",
                "buttons": [
                    {
                        "key": f"referral.summary_label.{slot}",
                        "payload": _entity_payload("deny", change=slot),
                    }
                    for slot in CHANGEABLE
                    if slot in summary_slots(tracker)
                ],
            }
        )
        return {"summary_ok": None, "change": CHOOSING}


# Messages that a rule answers in the middle of the form (then the form carries on). When
# the model is sure of one of these, the question was not answered wrongly: it was put aside.
INTERRUPTIONS = ALWAYS_COMMANDS | {
    "change_language", "choose_language", "bot_challenge", "talk_to_someone",
}  # fmt: skip


def _progress(slot: str, events: list[EventType]) -> bool:
    """This turn answered the question asked, or moved it on: a need added, an answer
    chosen to change at the summary, or reopened to be asked again."""
    for event in events:
        if event.get("event") != "slot":
            continue
        name, value = event.get("name"), event.get("value")
        if name in {slot, "change", "needs_chosen"} and value is not None:
            return True
        if name != slot and name in ALL_FORM_SLOTS and value is None:
            return True
    return False


def no_third_ask(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    events: list[EventType],
    *,
    explained: bool,
) -> list[EventType]:
    """No question is asked a third time. A reply that does not answer it counts; after the
    second, the flow moves on, records "not answered" and says so kindly."""
    slot = tracker.get_slot("requested_slot")
    if not slot or (tracker.active_loop or {}).get("name") != "referral_form":
        return []
    text, intent, confidence = typed_guess(tracker)
    if not text or is_command(text, intent, confidence):
        return []
    if intent in INTERRUPTIONS and confidence >= SURE:
        return []
    attempts: dict[str, int] = dict(tracker.get_slot("attempts") or {})
    if _progress(slot, events):
        return [SlotSet("attempts", None)] if attempts else []
    attempts[slot] = attempts.get(slot, 0) + 1
    if attempts[slot] < MOST_ASKS:
        if not explained:
            say(dispatcher, "referral.invalid.again")
        return [SlotSet("attempts", attempts)]
    return [SlotSet("attempts", None), *move_on(slot, dispatcher, tracker)]


def move_on(slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """What a question that could not be answered becomes. Nothing is sent without a clear
    yes; every other answer goes to staff as "not answered", to be checked by a person."""
    if slot == "referral_consent":
        say(dispatcher, "referral.consent_unclear")
        return [SlotSet("referral_consent", False), SlotSet("referral_outcome", "declined")]
    if slot == "summary_ok":
        return [SlotSet("referral_outcome", "unconfirmed")]
    if slot in {"contact_method", "contact_detail"}:
        say(dispatcher, "referral.moving_on_contact")
        return [SlotSet(slot, NOT_ANSWERED)]
    say(dispatcher, "referral.moving_on")
    if slot == "needs":
        chosen = tracker.get_slot("needs_chosen")
        return [SlotSet("needs", chosen or NOT_ANSWERED), SlotSet("needs_chosen", None)]
    events: list[EventType] = [SlotSet(slot, NOT_ANSWERED)]
    if slot == "area":
        events.append(SlotSet("area_status", "unsure"))  # staff check the area
    return events


def _yes_no(value: Any, tracker: Tracker, locale: str) -> tuple[Any, str | None]:
    """Yes, no or skipped; free text, or an unsure typed yes, is asked again, not guessed."""
    if value is True and unsure_yes(tracker, locale):
        return None, "referral.invalid.yes_no"
    if isinstance(value, bool) or value == SKIPPED:
        return value, None
    return None, "referral.invalid.yes_no"


def _free_text(value: Any, tracker: Tracker, locale: str) -> tuple[Any, str | None]:
    """The person's words; a button from an earlier question is not an answer to this one."""
    if value == SKIPPED:
        return value, None
    if isinstance(value, str) and value.startswith("/"):
        return None, "referral.invalid.text"
    return str(value)[:500], None


def _validator(slot: str, check: Any, said_yes: str | None = None) -> Any:
    """A slot's validation: `check` cleans the value or names the problem to say; a yes
    may call for a word at once (`said_yes`, a catalog key)."""

    def validate(
        self: ValidateReferralForm,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        cleaned, problem = check(value, tracker, self.locale(tracker))
        if problem:
            say(dispatcher, problem)
        elif cleaned is True and said_yes:
            say(dispatcher, said_yes)
        return {slot: cleaned}

    return validate


# A yes to strangulation calls for a response now, not only a flag for staff: a calm line
# that it can injure without showing, and where to get medical advice.
SAID_YES = {"risk_strangled": "referral.strangled_care"}
for _slot in YES_NO - {"referral_consent", "summary_ok", "contact_change"}:
    setattr(
        ValidateReferralForm,
        f"validate_{_slot}",
        _validator(_slot, _yes_no, SAID_YES.get(_slot)),
    )
for _slot in FREE_TEXT - {"message_ok_text"}:
    setattr(ValidateReferralForm, f"validate_{_slot}", _validator(_slot, _free_text))


class ActionReferralWho(UsesDeps, Action):
    """First: who is the support for?"""

    def name(self) -> str:
        return "action_referral_who"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked, linking = link_step(dispatcher, tracker, self.deps.referrals)  # link them?
        if asked:
            return linking
        dispatcher.utter_message(
            json_message={
                "key": "referral.who",
                "buttons": [
                    {"key": "referral.for.myself", "payload": "/for_myself"},
                    {"key": "referral.for.child", "payload": "/for_child"},
                    {"key": "referral.for.someone_else", "payload": "/for_someone_else"},
                    {"key": "referral.for.behaviour", "payload": "/for_my_behaviour"},
                ],
            }
        )
        return linking


class ActionReferralForChild(UsesDeps, Action):
    def name(self) -> str:
        return "action_referral_for_child"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "referral.child_info")
        say(dispatcher, "referral.child_next")
        if self.deps.hub.contact is not None:
            say(dispatcher, "referral.child_hub")  # the hub's own children's service
        dispatcher.utter_message(response="utter_menu")
        return []


class ActionReferralForSomeoneElse(Action):
    def name(self) -> str:
        return "action_referral_for_someone_else"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "referral.someone_else_consent")
        dispatcher.utter_message(
            json_message={
                "resource": "worried-about-someone",
                "buttons": [
                    {"key": "menu.talk", "payload": "/talk_to_someone"},
                    {"key": "menu.back", "payload": "/menu"},
                ],
            }
        )
        return []


def answers_from(tracker: Tracker) -> dict[str, Any]:
    answers = {slot: tracker.get_slot(slot) for slot in FOR_MYSELF if slot not in NOT_KEPT}
    answers["area_status"] = tracker.get_slot("area_status")
    return answers


def forget_referral() -> list[EventType]:
    return [SlotSet(slot, None) for slot in ALL_FORM_SLOTS + BOOKKEEPING_SLOTS]


class ActionReferralFinish(UsesDeps, Action):
    """After the form: send a confirmed referral, or explain why we could not take it."""

    def name(self) -> str:
        return "action_referral_finish"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        outcome = tracker.get_slot("referral_outcome")
        if outcome in ENDINGS:
            say(dispatcher, f"referral.outcome_{outcome}")
            dispatcher.utter_message(response="utter_menu")
            return forget_referral()
        if tracker.get_slot("summary_ok") is not True or not tracker.get_slot("referral_consent"):
            say(dispatcher, "stop.done")
            dispatcher.utter_message(response="utter_menu")
            return forget_referral()
        store = self.deps.referrals
        if not store.may_refer(client_of(tracker)):
            say(dispatcher, "referral.limit_reached")
            dispatcher.utter_message(response="utter_menu")
            return forget_referral()
        referral = store.submit(
            answers=answers_from(tracker),
            referral_for=tracker.get_slot("referral_for") or "myself",
            locale=self.locale(tracker),
            channel=channel_of(tracker),
            conversation_id=tracker.sender_id,
            previous_referral_id=earlier_referral_id(tracker, store),
        )
        say(dispatcher, "referral.sent", reference=referral.reference)
        if referral.previous_referral_id:
            say(dispatcher, "returning.linked")
        if tracker.get_slot("contact_method") == THEY_WILL_CONTACT:
            say(dispatcher, "referral.what_next_they_will_contact", reference=referral.reference)
        else:
            say(dispatcher, "referral.what_next", days=self.deps.hub.first_contact_working_days)
            say_after_referral(dispatcher, self.deps.hub)
        if not is_text_only(tracker):
            # What happens next, in full: triage, an Idva, a Marac, the kinds of support.
            # Not by text: it would stay in the phone's messages for anyone to read.
            dispatcher.utter_message(json_message={"resource": "after-you-ask-for-help"})
        say(dispatcher, "emergency.call_999")
        say(dispatcher, "emergency.silent_solution")
        # No word to come back with when someone else may use or check their phone or email:
        # the reference and the word would sit side by side for them to find.
        shared = tracker.get_slot("contact_shared") in {"yes", "unsure"}
        if store.returning is None or shared:
            dispatcher.utter_message(response="utter_menu")
            return [*forget_referral(), SlotSet("return_token", None)]
        # Last, so its answer is the next message: a word to come back with
        # (api/actions/returning.py), for this reference only. A link agreement is used up.
        return [
            *forget_referral(),
            SlotSet("return_token", None),
            SlotSet("last_reference", referral.reference),
            FollowupAction("return_word_form"),
        ]
