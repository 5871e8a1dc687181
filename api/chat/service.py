"""One message in, the reply out: the path every channel shares.

1. find or start the conversation (no text, names or numbers are stored);
2. map a numbered reply ("2") back to the option it picks, on text-only channels;
3. screen the message for danger, self-harm and exit words, and answer those at once;
4. a first message by SMS or WhatsApp gets the language menu; a language chosen (by a
   button, a number or its name after the menu) becomes the conversation's language;
5. otherwise ask Rasa what to say, and render it for the locale and channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

import safety
from api.conversations import service as conversations
from api.conversations.models import Conversation
from api.core.channels import TEXT_ONLY_CHANNELS
from api.core.crypto import FieldCipher
from api.core.limits import ChatLimits, RateLimiter
from api.languages.registry import language_payload
from api.live import service as live
from api.live.models import LiveChat
from api.nlu.danger import DangerNet, NetFinding, get_danger_net
from api.rasa.client import RasaClient, RasaUnavailableError
from api.render.renderer import (
    MissingMessageError,
    Renderer,
    payload_for_numbered_reply,
)
from api.render.schemas import ButtonKey, MessageKey, OutgoingMessage

logger = logging.getLogger(__name__)


MENU_BUTTON = ButtonKey(key="menu.back", payload="/menu")
# The survivor's own way out of a live chat (the same payload leaves the queue).
LEAVE_LIVE = '/live_chat{"live_step":"leave"}'


@dataclass
class Reply:
    conversation_id: str
    messages: list[OutgoingMessage] = field(default_factory=list)
    erased: bool = False
    locale: str = ""
    limited: bool = False
    # "waiting" in the queue for a support worker, "live" with one (api/live/), or None.
    live: str | None = None


def emergency_messages(result: safety.ScreenResult, *, hurt: bool = False) -> list[MessageKey]:
    """The guidance the design requires whenever danger or self-harm is seen; with a line
    about medical help when someone seems to be hurt."""
    messages = []
    if result.self_harm:
        messages.append(MessageKey(key="self_harm.samaritans"))
    messages += [
        MessageKey(key="emergency.call_999"),
        MessageKey(key="emergency.silent_solution"),
    ]
    if hurt:
        messages.append(MessageKey(key="emergency.medical"))
    messages += [
        MessageKey(key="emergency.helpline"),
        MessageKey(key="emergency.after", buttons=[MENU_BUTTON]),
    ]
    return messages


def guidance_first(found: NetFinding, hurt: bool) -> list[MessageKey]:
    """The emergency guidance the danger net adds before the answer itself."""
    messages = [MessageKey(key="self_harm.samaritans")] if found.self_harm else []
    messages += [MessageKey(key="emergency.call_999"), MessageKey(key="emergency.silent_solution")]
    if hurt:
        messages.append(MessageKey(key="emergency.medical"))
    return [*messages, MessageKey(key="emergency.helpline")]


def _words(text: str) -> bool:
    """Typed words (not a button's payload, not a lone character): worth the danger net."""
    return not text.startswith("/") and len(text.split()) >= 2


# How long an answer the word lists have already found waits for the danger net.
LISTED_NET_WAIT_SECONDS = 0.5
UNAVAILABLE = [MessageKey(key="system.unavailable")]
SLOW_DOWN = [MessageKey(key="system.slow_down")]
NOTHING_TO_SAY = [MessageKey(key="fallback.not_sure", buttons=[MENU_BUTTON])]


@dataclass
class Admission:
    """Where a message stands before it is answered: its conversation (None if the
    database is down or the message is over a limit), and whether it is over a limit."""

    conversation: Conversation | None
    conversation_id: str
    is_new: bool = False
    limited: bool = False


class Eraser(Protocol):
    """Erases a conversation everywhere (the one erasure: api/erasure/service.py)."""

    async def erase(self, db_session: Session, conversation_id: str) -> None: ...

    async def settle(self, db_session: Session, conversation_id: str) -> None: ...


class ChatService:
    def __init__(
        self,
        rasa: RasaClient,
        renderer: Renderer,
        default_locale: str,
        limiter: RateLimiter,
        limits: ChatLimits,
        cipher: FieldCipher,
        options_max_age: timedelta,
        eraser: Eraser,
        danger_net: Callable[[], DangerNet] = get_danger_net,
    ) -> None:
        self.rasa = rasa
        self.eraser = eraser
        self.renderer = renderer
        self.default_locale = default_locale
        self.limiter = limiter
        self.limits = limits
        self.cipher = cipher
        self.options_max_age = options_max_age
        self.danger_net = danger_net

    async def handle(
        self,
        db_session: Session,
        *,
        text: str,
        channel: str,
        conversation_id: str | None = None,
        locale: str | None = None,
        stable_id: bool = False,
        client: str | None = None,
    ) -> Reply:
        """Answer one message.

        `stable_id` is for channels whose id is derived from the sender (SMS, WhatsApp):
        an unknown id is then created as given. On the web an unknown id starts afresh
        with a new random id, so a client can never choose its own. `client` is the
        sender's address, for the limits per address (the web); it is only ever hashed.
        """
        if conversation_id is not None and not conversations.belongs_to(conversation_id, channel):
            conversation_id = None  # another channel's id: answered as an unknown one
        subject = self.limiter.subject(client) if client else None
        admitted = self._admit(db_session, conversation_id, channel, locale, stable_id, subject)
        conversation, cid, is_new = admitted.conversation, admitted.conversation_id, admitted.is_new
        live_chat: LiveChat | None = None
        if conversation is not None:
            locale = locale or conversation.locale
            options = conversations.options_of(conversation, self.cipher, self.options_max_age)
            live_chat = self._live_chat(db_session, cid)
            # End the read before waiting for Rasa: a database connection held across the
            # wait would starve the pool under load, and with it the event loop.
            db_session.commit()
        else:  # the database is down, or the message is over a limit: no bookkeeping
            locale, options = locale or self.default_locale, []

        typed = text
        text = payload_for_numbered_reply(text, options) or text
        result = safety.screen(text, locale)
        found = NetFinding()
        if not result.exit and _words(text):
            # The second net, by meaning (api/nlu/danger.py): danger in words no list
            # foresaw, and whether someone is hurt. Off the event loop (~14 ms, and its
            # first build, which it may wait for, takes a minute). When the lists have
            # found danger their answer never waits for it: the net may only add the
            # line about medical help, if it answers at once.
            listed = result.emergency or result.self_harm
            try:
                found = await asyncio.wait_for(
                    asyncio.to_thread(lambda: self.danger_net().check(text)),
                    timeout=LISTED_NET_WAIT_SECONDS if listed else None,
                )
            except TimeoutError:
                logger.warning("danger net slow; the word lists answered alone")
            except Exception as error:  # the word lists have answered; carry on with them
                logger.error("danger net unavailable error=%s", type(error).__name__)
        hurt = found.injury and (found.danger or result.emergency)
        # The lists are sure: their answer is the emergency guidance alone. The net is a
        # guess by meaning: its guidance comes first, then the answer the message asked
        # for, so a question about abuse in frightening words is still answered.
        net_alarm = found.any and result.clear
        if result.exit:
            await self.erase(db_session, cid)
            logger.info("conversation=%s exit", cid)
            done = MessageKey(key="exit.done", locale=result.locale)  # in the words used
            messages, _ = self.render([done], locale, channel)
            return Reply(cid, messages, erased=True, locale=locale)

        if live_chat is not None and conversation is not None and not admitted.limited:
            signals: set[str] = (
                {str(s) for s in result.signals}
                if (result.emergency or result.self_harm)
                else set()
            )
            if net_alarm:
                signals.add("danger_by_meaning")
            if live_chat.status == "live":
                # A worker has the chat: Rasa is not asked; the safety screen has run. A
                # number picks an option only when the one offered is leaving the chat (by
                # text, "1" must not press a button from before the chat began).
                if options != [LEAVE_LIVE]:
                    text = typed
                return self._to_worker(
                    db_session, conversation, live_chat, text, result, found, hurt, signals
                )
            if signals:  # waiting: the worker who takes the chat sees the screen's signals
                self._flag(db_session, live_chat, signals)

        text = self._language_choice(text, options, first_contact=is_new)
        if chosen := self.renderer.languages.chosen_by_payload(text):
            locale = chosen
        if result.emergency or result.self_harm:
            logger.info("conversation=%s screen=%s", cid, ",".join(sorted(result.signals)))
            keys = emergency_messages(result, hurt=hurt)
            # Danger written in another language is answered in it; a first message also
            # sets the conversation's language, as choosing it would.
            if result.locale and result.locale != locale and self.renderer.supports(result.locale):
                for key in keys:
                    key.locale = result.locale
                if is_new:
                    locale = result.locale
        elif admitted.limited:
            keys = SLOW_DOWN
        elif is_new and channel in TEXT_ONLY_CHANNELS and not chosen and self.multilingual:
            keys = self.first_language_menu()
        else:
            # The referral limit is per address on the web, per sender by text (a hash).
            metadata = {
                "locale": locale,
                "channel": channel,
                "client": subject or self.limiter.subject(cid),
            }
            try:
                # An SMS or WhatsApp number's conversation id never changes: an erase Rasa
                # still owes for it (an EXIT while Rasa was away) is finished before Rasa
                # hears anything new, whichever message that is (the first after EXIT may
                # have been the language menu, which Rasa never sees).
                if stable_id:
                    await self.eraser.settle(db_session, cid)
                keys = await self.rasa.send(cid, text, metadata)
            except RasaUnavailableError:
                keys = UNAVAILABLE
            keys = keys or NOTHING_TO_SAY
            if net_alarm:
                logger.info("conversation=%s screen=meaning-net", cid)
                keys = guidance_first(found, hurt) + keys

        messages, options = self.render(keys, locale, channel)
        if admitted.limited:
            return Reply(cid, messages, locale=locale, limited=True)
        if conversation is not None:
            try:
                conversations.touch(
                    db_session, conversation, locale=locale, options=options, cipher=self.cipher
                )
            except SQLAlchemyError as error:  # the reply matters more than the bookkeeping
                db_session.rollback()
                logger.warning("conversation=%s not touched error=%s", cid, type(error).__name__)
            # Rasa's action may just have put them in the queue: the web page then listens.
            live_chat = self._live_chat(db_session, cid)
        status = live_chat.status if live_chat is not None else None
        # End that read now: the session is only closed after the reply is sent, and a
        # connection held until then can starve the pool for everyone under load.
        with contextlib.suppress(SQLAlchemyError):
            db_session.rollback()
        return Reply(cid, messages, locale=locale, live=status)

    @staticmethod
    def _live_chat(db_session: Session, conversation_id: str) -> LiveChat | None:
        """The conversation's place in the queue or its live chat, if it has one open."""
        try:
            return live.open_chat_of(db_session, conversation_id)
        except SQLAlchemyError as error:
            db_session.rollback()
            logger.warning("live chat unknown error=%s", type(error).__name__)
            return None

    @staticmethod
    def _flag(db_session: Session, chat: LiveChat, signals: set[str]) -> None:
        """The safety screen's signals, for the worker: codes on the chat, and an event in
        the live chat so the worker's page flags it at once."""
        live.add_flags(db_session, chat, signals)
        if chat.status == "live":
            live.add_message(
                db_session, chat, sender="system", kind="flag", detail=",".join(sorted(signals))
            )
        logger.info("conversation=%s live flag=%s", chat.conversation_id, ",".join(signals))

    def _to_worker(
        self,
        db_session: Session,
        conversation: Conversation,
        chat: LiveChat,
        text: str,
        result: safety.ScreenResult,
        found: NetFinding,
        hurt: bool,
        signals: set[str],
    ) -> Reply:
        """A survivor's message while a worker has the chat: to the worker, not to Rasa.
        Danger or self-harm: the guidance to the survivor at once, and a flag to the worker."""
        cid, locale, channel = conversation.id, conversation.locale, conversation.channel
        keys: list[MessageKey] = []
        status: str | None = "live"
        try:
            keys, status = self._route_to_worker(
                db_session, chat, text, result, found, hurt, signals
            )
        except SQLAlchemyError as error:
            # Not stored, so the worker cannot see it: say so (with 999 and the helpline),
            # and give the guidance first if the message needed it. Never silence.
            db_session.rollback()
            logger.warning("conversation=%s live message lost error=%s", cid, type(error).__name__)
            keys = (emergency_messages(result, hurt=hurt) if signals else []) + UNAVAILABLE
        messages, options = self.render(keys, locale, channel) if keys else ([], [])
        try:
            conversations.touch(
                db_session, conversation, locale=locale, options=options, cipher=self.cipher
            )
        except SQLAlchemyError as error:
            db_session.rollback()
            logger.warning("conversation=%s not touched error=%s", cid, type(error).__name__)
        return Reply(cid, messages, locale=locale, live=status)

    def _route_to_worker(
        self,
        db_session: Session,
        chat: LiveChat,
        text: str,
        result: safety.ScreenResult,
        found: NetFinding,
        hurt: bool,
        signals: set[str],
    ) -> tuple[list[MessageKey], str | None]:
        keys: list[MessageKey] = []
        status: str | None = "live"
        if text == LEAVE_LIVE:
            status = None
            if live.finish(db_session, chat, "left"):
                keys = [MessageKey(key="live.you_left", buttons=[MENU_BUTTON])]
        elif text.startswith("/"):
            # A button from before the chat: it would mean nothing to the worker.
            keys = [
                MessageKey(
                    key="live.in_chat",
                    params={"name": chat.worker_name or ""},
                    buttons=[ButtonKey(key="live.leave_chat_button", payload=LEAVE_LIVE)],
                )
            ]
        else:
            live.add_message(
                db_session, chat, sender="survivor", kind="text", cipher=self.cipher, text=text
            )
            if signals:
                self._flag(db_session, chat, signals)
                if result.emergency or result.self_harm:
                    keys = emergency_messages(result, hurt=hurt)
                else:
                    keys = guidance_first(found, hurt)
        return keys, status

    @property
    def multilingual(self) -> bool:
        return len(self.renderer.languages.codes) > 1

    def first_language_menu(self) -> list[MessageKey]:
        """A first SMS or WhatsApp message is answered in every language: who we are (a
        bot) and which language they would like, then a numbered choice. Picking one starts
        the conversation (/greet) in it."""
        languages = self.renderer.languages.all()
        keys = [MessageKey(key="language.welcome", locale=language.code) for language in languages]
        keys[-1].buttons = [
            ButtonKey(
                key=f"language.names.{language.code}",
                payload=language_payload("greet", language.code),
            )
            for language in languages
        ]
        return keys

    def _language_choice(self, text: str, options: list[str], *, first_contact: bool) -> str:
        """A language's name typed at the first message or just after the language menu,
        as the payload its button would have sent. Anything else is left as it is: "Polish"
        in answer to a question (like the interpreter question) is an answer, not a choice.
        """
        languages = self.renderer.languages
        menu_shown = any(languages.chosen_by_payload(option) for option in options)
        if not (first_contact or menu_shown):
            return text
        code = languages.named_in(text)
        if code is None:
            return text
        starting = first_contact or options[0].startswith("/greet")
        return language_payload("greet" if starting else "choose_language", code)

    def _admit(
        self,
        db_session: Session,
        conversation_id: str | None,
        channel: str,
        locale: str | None,
        stable_id: bool,
        subject: str | None,
    ) -> Admission:
        """Find or start the conversation, within the limits.

        Over a limit, nothing is read or written here: a flood costs one counter each.
        Without the database the conversation goes on: Rasa keeps its state, a referral
        sent meanwhile is spooled (api/referrals/spool.py), and only the bookkeeping here
        (last activity, numbered options) waits. An unknown web id is then used as given:
        ids are 256-bit random values, so nobody can reach another's conversation by it.
        """
        unstored = conversation_id or conversations.new_conversation_id()
        if subject and not self.limiter.allow(self.limits.address_messages, subject):
            return Admission(None, unstored, limited=True)
        try:
            conversation = (
                conversations.get_on(db_session, conversation_id, channel)
                if conversation_id
                else None
            )
            if conversation is None and conversation_id is not None:
                if conversations.get(db_session, conversation_id) is not None:
                    conversation_id = None  # held by another channel: never continued here
                elif not stable_id:
                    conversation_id = None  # the web never lets a client choose its id
            is_new = conversation is None
            if (
                is_new
                and subject
                and not self.limiter.allow(self.limits.new_conversations, subject)
            ):
                db_session.rollback()
                return Admission(None, conversations.new_conversation_id(), limited=True)
            if conversation is None:
                conversation = conversations.start(
                    db_session,
                    channel=channel,
                    locale=locale or self.default_locale,
                    conversation_id=conversation_id,
                )
        except SQLAlchemyError as error:
            db_session.rollback()
            logger.warning("database unavailable error=%s", type(error).__name__)
            return Admission(None, unstored)
        within = self.limiter.allow(
            self.limits.conversation_messages, self.limiter.subject(conversation.id)
        )
        return Admission(conversation, conversation.id, is_new=is_new, limited=not within)

    def render(
        self, keys: list[MessageKey], locale: str, channel: str
    ) -> tuple[list[OutgoingMessage], list[str]]:
        usable = []
        for key in keys:
            try:
                self.renderer.message(key, locale)
            except MissingMessageError:
                logger.error("missing message key=%s locale=%s", key.key or key.resource, locale)
                continue
            usable.append(key)
        return self.renderer.for_channel(usable or UNAVAILABLE, locale, channel)

    async def erase_on(self, db_session: Session, conversation_id: str, channel: str) -> None:
        """Erase a conversation asked for from `channel`: only one of that channel's own.

        Any other id is left alone and nothing says so, so a web page can neither erase an
        SMS conversation nor learn that one exists."""
        if not conversations.belongs_to(conversation_id, channel):
            return
        try:
            held = conversations.get(db_session, conversation_id)
        except SQLAlchemyError:
            db_session.rollback()
            held = None  # the database is down: the id's shape is the channel's own
        if held is not None and held.channel != channel:
            return
        await self.erase(db_session, conversation_id)

    async def erase(self, db_session: Session, conversation_id: str) -> None:
        """Forget the conversation here and in Rasa (api/erasure/service.py)."""
        await self.eraser.erase(db_session, conversation_id)
