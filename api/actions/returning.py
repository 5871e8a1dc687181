"""Coming back with a reference: the word offered after "Send it", the check, and the
choices once checked (bot/domain/returning.yml).

The checks are the API's (api/referrals/returning.py). The proof of a check is a sealed,
expiring token in a slot; every step that reads or changes the referral opens it again
there, so typing a payload that sets a slot gets nobody anywhere, and renews it, so the
time runs from the survivor's last step. The word's slot is cleared as soon as it is
hashed, and the word is never logged; the message that carried it stays in Rasa's
tracker, like every message, until the conversation is erased (exit, or the idle purge).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.actions import validators
from api.actions.context import client_of, is_text_only, locale_of
from api.actions.deps import ActionDeps, UsesDeps
from api.actions.messages import say
from api.core.payloads import intent_payload
from api.hub.config import HubConfig
from api.referrals import returning
from api.referrals.answers import NOT_ANSWERED, SKIPPED
from api.referrals.models import Referral
from api.referrals.runtime import ReferralRuntime

logger = logging.getLogger(__name__)

RETURN_SLOTS = (
    "last_reference", "return_word_new", "return_reference", "return_word", "return_text",
    "return_token", "return_kind", "return_tries",
)  # fmt: skip
# The choices once checked, each a button: /have_reference{"return_choice": ...}.
OPTIONS = ("status", "contact", "news", "sooner", "withdraw")
CONTACT_OPTIONS = ("contact_number", "contact_times", "stop_messages", "no_voicemail")
# Asked in their own words (return_text_form); the rest are done at once.
IN_THEIR_WORDS = ("contact_number", "contact_times", "news")
AT_ONCE = ("stop_messages", "no_voicemail", "sooner")
MAX_TEXT_CHARS = 2000
WITHDRAW_ASKED = "withdraw_asked"  # return_kind while "do you want to withdraw?" waits
MOST_ASKS = 2


def choice_payload(choice: str) -> str:
    return intent_payload("have_reference", return_choice=choice)


def _buttons(keys_and_choices: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"key": key, "payload": payload} for key, payload in keys_and_choices]


def show_options(dispatcher: CollectingDispatcher, key: str = "returning.what_now") -> None:
    buttons = [(f"returning.option.{c}", choice_payload(c)) for c in OPTIONS] + NEW_REFERRAL
    dispatcher.utter_message(
        json_message={"key": key, "buttons": _buttons([*buttons, ("menu.back", "/menu")])}
    )


def say_ways_to_talk(dispatcher: CollectingDispatcher, hub: HubConfig) -> None:
    """The hub's line when there is one, after the 24-hour helpline the message gave."""
    if hub.contact is not None:
        say(dispatcher, "returning.call_hub")


def forget(*slots: str) -> list[EventType]:
    return [SlotSet(slot, None) for slot in slots or RETURN_SLOTS]


def _typed(value: Any) -> str:
    """A free-text answer, or "" for a button's payload taken as text."""
    text = str(value or "").strip()
    return "" if text.startswith("/") else text


def _no_answer(value: Any) -> bool:
    """Not an answer, and not a try either: the button that started a form (offered to it
    as text), or a slot cleared just before the form began (rasa_sdk validates those too)."""
    return value is None or str(value).strip().startswith("/")


def checked_referral(
    db_session: Session, store: ReferralRuntime, tracker: Tracker
) -> Referral | None:
    if store.returning is None:
        return None
    return returning.verified_referral(
        db_session,
        store.cipher,
        store.returning,
        token=tracker.get_slot("return_token"),
        conversation_id=tracker.sender_id,
    )


def typed_confirmation(tracker: Tracker) -> str:
    """A typed answer to "do you want to withdraw?". Withdrawing cannot be undone, so only
    its button (or the button's number, by text) withdraws: a typed "yes" may answer
    something else, such as a danger message the API answered itself in between, which
    Rasa never saw. A no keeps it; anything else asks again, with the buttons."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    if intent == "deny":
        return "kept"
    return "withdraw"


def unavailable(dispatcher: CollectingDispatcher) -> list[EventType]:
    """The database cannot be reached: nothing was changed; 999 and the helpline."""
    say(dispatcher, "system.unavailable")
    dispatcher.utter_message(response="utter_menu")
    return forget()


def check_again(dispatcher: CollectingDispatcher) -> list[EventType]:
    """The proof has run out (or was never given): ask for the reference and word again."""
    say(dispatcher, "returning.check_again")
    return [*forget(), FollowupAction("returning_form")]


# After "Send it": the word for coming back.


class ActionAskReturnWordNew(Action):
    def name(self) -> str:
        return "action_ask_return_word_new"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # By text the word stays in the thread beside the reference: say so.
        offer = "returning.word_offer_by_text" if is_text_only(tracker) else "returning.word_offer"
        say(dispatcher, offer, buttons=[("returning.word_skip", "/skip")])
        return []


class ValidateReturnWordForm(FormValidationAction):
    def name(self) -> str:
        return "validate_return_word_form"

    def validate_return_word_new(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == SKIPPED:
            return {"return_word_new": SKIPPED}
        if _no_answer(value):
            return {"return_word_new": None}
        word = _typed(value)
        if returning.word_is_usable(word):
            return {"return_word_new": word}
        tries = int(tracker.get_slot("return_tries") or 0) + 1
        if tries >= MOST_ASKS:
            return {"return_word_new": NOT_ANSWERED, "return_tries": None}
        say(dispatcher, "returning.word_too_short")
        return {"return_word_new": None, "return_tries": tries}


class ActionReturnWordSave(UsesDeps, Action):
    """Hash the word for the referral just sent from this conversation, then forget it."""

    def name(self) -> str:
        return "action_return_word_save"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        word = tracker.get_slot("return_word_new")
        reference = tracker.get_slot("last_reference")
        if word in (None, SKIPPED, NOT_ANSWERED) or not reference:
            say(dispatcher, "returning.word_skipped")
        else:
            try:
                with Session(self.deps.referrals.engine) as db_session:
                    saved = returning.set_word(
                        db_session,
                        reference=reference,
                        conversation_id=tracker.sender_id,
                        word=str(word),
                    )
            except SQLAlchemyError:
                saved = False
            say(dispatcher, "returning.word_saved" if saved else "returning.word_not_saved")
        dispatcher.utter_message(response="utter_menu")
        return forget()


# Coming back: the reference and the word.


class ActionAskReturnReference(Action):
    def name(self) -> str:
        return "action_ask_return_reference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "returning.ask_reference", buttons=[("menu.back", "/menu")])
        return []


class ActionAskReturnWord(Action):
    def name(self) -> str:
        return "action_ask_return_word"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("return_kind") == CODE_SENT:
            ask_for_code(dispatcher)
            return []
        say(dispatcher, "returning.ask_word", buttons=[("returning.no_word_choice", "/skip")])
        return []


class ValidateReturningForm(FormValidationAction):
    def name(self) -> str:
        return "validate_returning_form"

    def validate_return_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _no_answer(value):
            return {"return_reference": None}
        # Only something shaped like a reference is one: "he's here" never is.
        reference = returning.normalise_reference(_typed(value))
        if reference is not None:
            return {"return_reference": reference, "return_tries": None}
        tries = int(tracker.get_slot("return_tries") or 0) + 1
        if tries >= MOST_ASKS:
            # Never asked a third time: the form ends, and the way to the hub is given.
            return {"return_reference": NOT_ANSWERED, "return_word": NOT_ANSWERED}
        say(dispatcher, "returning.reference_not_valid")
        return {"return_reference": None, "return_tries": tries}

    def validate_return_word(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in (SKIPPED, NOT_ANSWERED):
            return {"return_word": value}
        word = _typed(value)
        return {"return_word": word or None}


class ActionReturningVerify(UsesDeps, Action):
    """Ask the API; say the same neutral thing whatever went wrong."""

    def name(self) -> str:
        return "action_returning_verify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        by_code = code_step(dispatcher, tracker, self.deps)
        if by_code is not None:
            return by_code
        reference = tracker.get_slot("return_reference")
        word = tracker.get_slot("return_word")
        if word == SKIPPED:
            # Whatever the reference, the same answer: nothing is looked up.
            say(dispatcher, "returning.no_word")
            say_ways_to_talk(dispatcher, self.deps.hub)
            dispatcher.utter_message(response="utter_menu")
            return forget()
        if reference in (None, NOT_ANSWERED) or not word:
            say(dispatcher, "returning.reference_help")
            say_ways_to_talk(dispatcher, self.deps.hub)
            dispatcher.utter_message(response="utter_menu")
            return forget()
        store = self.deps.referrals
        token = None
        if store.returning is not None and store.limiter is not None:
            try:
                with Session(store.engine) as db_session:
                    token = returning.check(
                        db_session,
                        store.cipher,
                        store.limiter,
                        store.returning,
                        reference=str(reference),
                        word=str(word),
                        sender=client_of(tracker) or tracker.sender_id,
                        conversation_id=tracker.sender_id,
                    )
            except SQLAlchemyError:
                token = None
        if token is None:
            say(dispatcher, "returning.no_match")
            say_ways_to_talk(dispatcher, self.deps.hub)
            dispatcher.utter_message(response="utter_menu")
            return forget()
        show_options(dispatcher, "returning.verified")
        return [*forget(), SlotSet("return_token", token)]


# Once checked: the choices.


class ActionReturning(UsesDeps, Action):
    """The menu's "I have a reference" (or the same in words), and every choice once checked."""

    def name(self) -> str:
        return "action_returning"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        code = code_choice(dispatcher, tracker, self.deps)
        if code is not None:
            return code
        try:
            return self._choose(dispatcher, tracker)
        except SQLAlchemyError:
            return unavailable(dispatcher)

    def _choose(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        choice = next(tracker.get_latest_entity_values("return_choice"), None)
        asked = tracker.get_slot("return_kind")
        typed_again = False
        if choice is None and asked == WITHDRAW_ASKED:
            choice = typed_confirmation(tracker)
            # Asked once by its button and once again after a typed answer: never a third
            # time. What cannot be undone is not done; nothing changes.
            if choice == "withdraw" and tracker.get_slot("return_tries"):
                choice = "kept"
            typed_again = choice == "withdraw"
        token = tracker.get_slot("return_token")
        if not token:
            # Not checked in this conversation: start with the reference, whatever was pressed.
            say(dispatcher, "returning.intro")
            return [*forget(), FollowupAction("returning_form")]
        store = self.deps.referrals
        with Session(store.engine) as db_session:
            referral = checked_referral(db_session, store, tracker)
            if referral is None:
                return check_again(dispatcher)
            # Each step renews the proof: the time runs from their last step.
            renew = SlotSet(
                "return_token", returning.renewed_proof(store.cipher, referral, tracker.sender_id)
            )
            if choice in (None, "options"):
                show_options(dispatcher)
            elif choice == "status":
                say(dispatcher, f"returning.status.{returning.plain_status(referral)}")
                show_options(dispatcher, "returning.anything_else")
            elif choice == "contact":
                buttons = [(f"returning.option.{c}", choice_payload(c)) for c in CONTACT_OPTIONS]
                say(
                    dispatcher,
                    "returning.contact_how",
                    buttons=[*buttons, ("returning.option.back", choice_payload("options"))],
                )
            elif choice in IN_THEIR_WORDS:
                return [
                    renew,
                    SlotSet("return_kind", choice),
                    SlotSet("return_text", None),
                    SlotSet("return_tries", None),
                    FollowupAction("return_text_form"),
                ]
            elif choice in AT_ONCE:
                returning.record_update(
                    db_session, store.cipher, referral, kind=choice, connectors=store.connectors
                )
                say(dispatcher, f"returning.done.{choice}")
                if choice == "stop_messages":
                    # Nothing in this chat undoes it: the way to be reached again is a call.
                    say_ways_to_talk(dispatcher, self.deps.hub)
                show_options(dispatcher, "returning.anything_else")
            elif choice == "withdraw":
                say(
                    dispatcher,
                    "returning.withdraw_confirm",
                    buttons=[
                        ("returning.withdraw_yes", choice_payload("withdraw_confirmed")),
                        ("returning.withdraw_no", choice_payload("kept")),
                    ],
                )
                return [
                    renew,
                    SlotSet("return_kind", WITHDRAW_ASKED),
                    SlotSet("return_tries", 1 if typed_again else None),
                ]
            elif choice == "kept":
                say(dispatcher, "returning.not_changed")
                show_options(dispatcher, "returning.anything_else")
            elif choice == "withdraw_confirmed":
                returning.withdraw(
                    db_session,
                    store.cipher,
                    referral,
                    conversation_id=tracker.sender_id,
                    connectors=store.connectors,
                )
                logger.info("a referral was withdrawn")  # no id: it would outlive the erasure
                say(dispatcher, "returning.withdrawn")
                say(dispatcher, "emergency.call_999")
                dispatcher.utter_message(response="utter_menu")
                return [
                    SlotSet(slot, None)
                    for slot, value in tracker.slots.items()
                    if slot != "session_started_metadata" and value is not None
                ]
            else:
                show_options(dispatcher)
        if asked == WITHDRAW_ASKED:
            return [renew, SlotSet("return_kind", None), SlotSet("return_tries", None)]
        return [renew]


class ActionAskReturnText(Action):
    def name(self) -> str:
        return "action_ask_return_text"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind = tracker.get_slot("return_kind")
        key = f"returning.ask.{kind}" if kind in IN_THEIR_WORDS else "returning.ask.news"
        say(dispatcher, key, buttons=[("menu.back", "/menu")])
        return []


class ValidateReturnTextForm(FormValidationAction):
    def name(self) -> str:
        return "validate_return_text_form"

    def validate_return_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _no_answer(value):
            return {"return_text": None}
        text = _typed(value)[:MAX_TEXT_CHARS]
        if tracker.get_slot("return_kind") == "contact_number":
            text = validators.normalise_uk_phone(text) or ""
            if not text:
                tries = int(tracker.get_slot("return_tries") or 0) + 1
                if tries >= MOST_ASKS:
                    return {"return_text": NOT_ANSWERED, "return_tries": None}
                say(dispatcher, "referral.invalid.phone")
                return {"return_text": None, "return_tries": tries}
        return {"return_text": text or None}


class ActionReturningSaveText(UsesDeps, Action):
    """A new number, other times or something new: kept for staff, and the hub told."""

    def name(self) -> str:
        return "action_returning_save_text"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return self._save(dispatcher, tracker)
        except SQLAlchemyError:
            return unavailable(dispatcher)

    def _save(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        kind = tracker.get_slot("return_kind")
        text = tracker.get_slot("return_text")
        cleared = forget("return_text", "return_kind", "return_tries")
        store = self.deps.referrals
        with Session(store.engine) as db_session:
            referral = checked_referral(db_session, store, tracker)
            if referral is None:
                return [*cleared, *check_again(dispatcher)]
            if kind not in IN_THEIR_WORDS or text in (None, NOT_ANSWERED):
                say(dispatcher, "returning.not_changed")
                say_ways_to_talk(dispatcher, self.deps.hub)
            else:
                returning.record_update(
                    db_session,
                    store.cipher,
                    referral,
                    kind=kind,
                    detail=str(text),
                    connectors=store.connectors,
                )
                say(dispatcher, f"returning.done.{kind}")
            renewed = returning.renewed_proof(store.cipher, referral, tracker.sender_id)
        show_options(dispatcher, "returning.anything_else")
        return [*cleared, SlotSet("return_token", renewed)]


# No word, or forgotten: a one-time code sent to the safe contact the referral gave.
# Offered to everyone who says they have no word, whatever the reference, and answered
# the same whether or not a code could go (api/referrals/returning.py).

CODE_OFFERED = "code_offered"  # return_kind while "shall we send a code?" waits
CODE_SENT = "code_sent"  # return_kind while the code is asked for


def _no_word(dispatcher: CollectingDispatcher, hub: HubConfig) -> list[EventType]:
    say(dispatcher, "returning.no_word")
    say_ways_to_talk(dispatcher, hub)
    dispatcher.utter_message(response="utter_menu")
    return forget()


def ask_for_code(dispatcher: CollectingDispatcher) -> None:
    say(dispatcher, "returning.ask_code", buttons=[("returning.no_code_choice", "/skip")])


def code_step(
    dispatcher: CollectingDispatcher, tracker: Tracker, deps: ActionDeps
) -> list[EventType] | None:
    """At the end of the check: a code typed, or the offer of one to someone with no word.
    None: the check by word (ActionReturningVerify) carries on."""
    reference = tracker.get_slot("return_reference")
    word = tracker.get_slot("return_word")
    if reference in (None, NOT_ANSWERED):
        return None
    if tracker.get_slot("return_kind") == CODE_SENT:
        if word in (None, SKIPPED, NOT_ANSWERED):
            return _no_word(dispatcher, deps.hub)  # "No code came"
        return _check_code(dispatcher, tracker, deps, str(reference), str(word))
    if word != SKIPPED or not deps.referrals.may_send_codes():
        return None
    say(
        dispatcher,
        "returning.code_offer",
        buttons=[
            ("returning.code_yes", choice_payload("send_code")),
            ("returning.code_no", choice_payload("no_code")),
        ],
    )
    return [
        SlotSet("return_word", None),
        SlotSet("return_tries", None),
        SlotSet("return_kind", CODE_OFFERED),
    ]


def _check_code(
    dispatcher: CollectingDispatcher, tracker: Tracker, deps: ActionDeps, reference: str, code: str
) -> list[EventType]:
    store = deps.referrals
    token = None
    if store.returning is not None and store.limiter is not None:
        try:
            with Session(store.engine) as db_session:
                token = returning.check_code(
                    db_session,
                    store.cipher,
                    store.limiter,
                    store.returning,
                    reference=reference,
                    code=code,
                    sender=client_of(tracker) or tracker.sender_id,
                    conversation_id=tracker.sender_id,
                )
        except SQLAlchemyError:
            token = None
    if token is None:
        say(dispatcher, "returning.no_match")
        say_ways_to_talk(dispatcher, deps.hub)
        dispatcher.utter_message(response="utter_menu")
        return forget()
    show_options(dispatcher, "returning.verified")
    return [*forget(), SlotSet("return_token", token)]


def code_choice(
    dispatcher: CollectingDispatcher, tracker: Tracker, deps: ActionDeps
) -> list[EventType] | None:
    """The answer to "shall we send a code?". Yes: the code is sent in the background if it
    may be, the same words are said either way, and the code is asked for. None: not this
    question (ActionReturning carries on)."""
    choice = next(tracker.get_latest_entity_values("return_choice"), None)
    if choice not in ("send_code", "no_code"):
        return None
    reference = returning.normalise_reference(str(tracker.get_slot("return_reference") or ""))
    offered = tracker.get_slot("return_kind") == CODE_OFFERED
    if choice == "no_code" or reference is None or not offered:
        return _no_word(dispatcher, deps.hub)
    deps.referrals.send_code_later(
        reference=reference,
        sender=client_of(tracker) or tracker.sender_id,
        locale=locale_of(tracker, deps.default_locale),
    )
    say(dispatcher, "returning.code_sent")
    say_ways_to_talk(dispatcher, deps.hub)
    return [
        SlotSet("return_reference", reference),
        SlotSet("return_word", None),
        SlotSet("return_tries", None),
        SlotSet("return_kind", CODE_SENT),
        FollowupAction("returning_form"),
    ]


# A second referral from a survivor who proved their first in this conversation: linked to
# it only if they agree, and only while the proof holds (api/referrals/returning.py).

# Straight to a new referral from the choices: the menu would forget the proof.
NEW_REFERRAL = [("returning.option.new_referral", "/get_support")]


def link_payload(choice: str) -> str:
    """The answer to "may the hub link it?" starts the referral all the same (get_support),
    so the rules need nothing new."""
    return intent_payload("get_support", return_choice=choice)


def link_step(
    dispatcher: CollectingDispatcher, tracker: Tracker, store: ReferralRuntime
) -> tuple[bool, list[EventType]]:
    """At the start of a new referral (ActionReferralWho). With a proof in this conversation:
    ask "may the hub link it to your earlier one?" (True: asked, nothing more now). With its
    answer: yes, and the proof still good, seals their agreement for this conversation and
    gives up the proof for it; anything else links nothing; then the referral starts (False,
    and the events to add). Without either: (False, [])."""
    choice = next(tracker.get_latest_entity_values("return_choice"), None)
    answered = choice in ("link", "no_link")
    if not tracker.get_slot("return_token") and not answered:
        return False, []
    try:
        with Session(store.engine) as db_session:
            earlier = checked_referral(db_session, store, tracker)
    except SQLAlchemyError:
        earlier = None
    if answered:
        agreement = None
        if choice == "link" and earlier is not None:
            agreement = returning.link_agreement(store.cipher, earlier, tracker.sender_id)
        say(dispatcher, "returning.will_link" if agreement else "returning.will_not_link")
        return False, [SlotSet("return_token", agreement)]
    if earlier is None:
        return False, []
    say(
        dispatcher,
        "returning.link_offer",
        buttons=[
            ("returning.link_yes", link_payload("link")),
            ("returning.link_no", link_payload("no_link")),
        ],
    )
    return True, []


def earlier_referral_id(tracker: Tracker, store: ReferralRuntime) -> str | None:
    """At "Send it": the earlier referral to link the new one to, if this conversation holds
    their agreement, opened again now; never a slot's word for it."""
    token = tracker.get_slot("return_token")
    if not token or store.returning is None:
        return None
    try:
        with Session(store.engine) as db_session:
            earlier = returning.referral_to_link(
                db_session,
                store.cipher,
                store.returning,
                token=token,
                conversation_id=tracker.sender_id,
            )
    except SQLAlchemyError:
        return None
    return earlier.id if earlier is not None else None
