"""A whole conversation in Polish, Urdu and Arabic, by SMS against the real trained Rasa
server: greeting, language menu, the menu, a topic asked in words, and a self-referral
sent to the hub with its language recorded. The words expected are read from each
language's catalog, so a translation can change without these tests changing."""

from __future__ import annotations

import re
import time
from functools import cache
from typing import Any

import httpx
import pytest
import yaml

from api.core.config import PROJECT_ROOT
from api.render.bidi import LEFT_TO_RIGHT_ISOLATE, NO_BREAK_SPACE, POP_DIRECTIONAL_ISOLATE
from scripts.stack import Stack
from tests.content.test_translations import catalog
from tests.e2e.test_sms import Phone
from tests.stand_ins import StandInHub

pytestmark = pytest.mark.e2e


@cache
def words(locale: str) -> dict[str, str]:
    return catalog(locale, "chat")


def plain(text: str) -> str:
    text = text.replace(LEFT_TO_RIGHT_ISOLATE, "").replace(POP_DIRECTIONAL_ISOLATE, "")
    return text.replace(NO_BREAK_SPACE, " ")


class SpeakingPhone(Phone):
    """A phone whose numbered options are worded in its language."""

    def __init__(self, stack: Stack, address: str, locale: str) -> None:
        super().__init__(stack, address)
        self.locale = locale

    def said(self, body: str) -> str:
        return plain(super().said(body))

    def option(self, reply: str, title: str) -> str:  # type: ignore[override]
        offered = [
            found
            for line in plain(reply).splitlines()
            for code in ("en", self.locale)
            if (found := option_in(line, code))
        ]
        exact = [number for number, shown in offered if shown.strip() == title]
        partial = [number for number, shown in offered if title.lower() in shown.lower()]
        if exact or partial:
            return (exact or partial)[0]
        raise AssertionError(f"no option {title!r} in: {reply}")


def option_in(line: str, locale: str) -> tuple[str, str] | None:
    path = PROJECT_ROOT / "content" / "locales" / locale / "channel.yml"
    template = yaml.safe_load(path.read_text(encoding="utf-8"))["option"]
    pattern = re.escape(template).replace(re.escape("%{number}"), r"(?P<number>\d+)")
    pattern = pattern.replace(re.escape("%{title}"), r"(?P<title>.+)")
    match = re.fullmatch(pattern, line.strip())
    return (match["number"], match["title"]) if match else None


LANGUAGES = {
    # locale: (greeting, a question about a topic, the topic's slug, asking for support)
    "pl": ("cześć", "co to jest kontrola przymusowa?", "coercive-control", "chcę wsparcia"),
    "ur": ("السلام علیکم", "گھریلو تشدد کیا ہے؟", "what-is-domestic-abuse", "مجھے سپورٹ چاہیے"),
    "ar": ("مرحبا", "ما هي السيطرة القسرية؟", "coercive-control", "أريد الدعم"),
}


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_a_whole_conversation_in_the_language(
    stack: Stack, hub_stand_in: StandInHub, locale: str
) -> None:
    greeting, question, slug, ask_support = LANGUAGES[locale]
    w = words(locale)
    number = {"pl": "+447700900311", "ur": "+447700900312", "ar": "whatsapp:+447700900313"}
    phone = SpeakingPhone(stack, number[locale], locale)

    # The first message gets the language menu, in every language, with 999.
    reply = phone.said(greeting)
    assert "999" in reply and plain(w["language.welcome"]) in reply
    reply = phone.choose(reply, w[f"language.names.{locale}"])
    assert plain(w["intro.bot"]).split("%")[0] in reply  # it says it is a bot, in the language
    reply = phone.choose(reply, w["safe_to_talk.yes"])
    assert plain(w["menu.prompt"]) in reply

    # A topic asked in words, answered in the language with a link to its page.
    reply = phone.said(question)
    assert f"/resources/{slug}?lang={locale}" in reply

    # A self-referral, answered by number and in words.
    reply = phone.said(ask_support)
    assert plain(w["referral.who"]) in reply
    reply = phone.choose(reply, w["referral.for.myself"])
    reply = phone.choose(reply, w["referral.consent_yes"])
    assert plain(w["referral.ask.age"]) in reply
    phone.send("31")
    phone.send("YO1 7HH")
    reply = phone.said("Ala")
    reply = phone.choose(reply, w["answer.method.text"])
    reply = phone.said("07700 900311")
    assert plain(w["referral.ask.contact_shared_phone"]) in reply
    reply = phone.choose(reply, w["answer.no"])  # nobody else uses this phone
    reply = phone.said("10-14")
    # Texts were chosen, so no voicemail question: straight to what a first text may say.
    assert plain(w["referral.ask.voicemail_ok"]) not in reply
    assert plain(w["proactive.first_message"]) in reply
    reply = phone.choose(reply, w["referral.plain_message"])
    reply = phone.choose(reply, w["answer.no"])  # do not say who we are
    reply = phone.choose(reply, w["answer.skip"])  # no confirmation word
    reply = phone.said("0")
    reply = phone.choose(reply, w["answer.no"])  # pregnant
    reply = phone.choose(reply, w["answer.situation.separated"])
    reply = phone.choose(reply, w["answer.skip"])
    for _ in range(4):  # the four risk questions
        reply = phone.choose(reply, w["answer.skip"])
    reply = phone.choose(reply, w["answer.need.housing"])
    reply = phone.choose(reply, w["answer.done"])
    reply = phone.said(w["language.names." + locale])  # language needs: an interpreter
    assert plain(w["referral.summary_intro"]) in reply and "Ala" in reply
    reply = phone.choose(reply, w["referral.send"])
    assert "FD-" in reply and "999" in reply

    reference = re.search(r"FD-[A-Z0-9]{4}-[A-Z0-9]{4}", reply)
    assert reference, reply
    deadline = time.monotonic() + 15
    delivered: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not delivered:
        delivered = [
            r for r in hub_stand_in.referrals.values() if r["reference"] == reference.group(0)
        ]
        time.sleep(0.2)
    assert delivered, "the hub never received the referral"
    assert delivered[0]["locale"] == locale  # staff know to book an interpreter


DANGER = {
    "pl": "on ma nóż i jest pod drzwiami",
    "ur": "وہ مجھے مار رہا ہے",
    "ar": "معه سكين",
}


@pytest.mark.parametrize("locale", sorted(DANGER))
def test_the_emergency_screen_answers_in_the_language(stack: Stack, locale: str) -> None:
    response = httpx.post(
        f"{stack.api_url}/api/chat/messages",
        json={"text": DANGER[locale], "locale": locale},
        timeout=30,
    )
    assert response.status_code == 200
    body = response.json()
    said = plain(" ".join(m["text"] for m in body["messages"]))
    w = words(locale)
    assert plain(w["emergency.call_999"]) in said
    assert plain(w["emergency.silent_solution"]) in said
    assert body["locale"] == locale
    assert body["direction"] == ("rtl" if locale in ("ur", "ar") else "ltr")


def test_choosing_a_language_on_the_web_switches_the_conversation(stack: Stack) -> None:
    http = httpx.Client(base_url=stack.api_url, timeout=30)
    first = http.post("/api/chat/messages", json={"text": "/greet", "locale": "en"}).json()
    cid = first["conversation_id"]
    listed = http.post(
        "/api/chat/messages", json={"conversation_id": cid, "text": "language", "locale": "en"}
    ).json()
    payloads = [b["payload"] for m in listed["messages"] for b in m["buttons"]]
    assert '/choose_language{"language":"ar"}' in payloads
    chosen = http.post(
        "/api/chat/messages",
        json={"conversation_id": cid, "text": '/choose_language{"language":"ar"}', "locale": "en"},
    ).json()
    assert chosen["locale"] == "ar" and chosen["direction"] == "rtl"
    said = plain(" ".join(m["text"] for m in chosen["messages"]))
    assert plain(words("ar")["language.changed"]) in said
    assert plain(words("ar")["menu.prompt"]) in said
    http.close()
