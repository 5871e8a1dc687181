"""Every message key the bot or the API can send exists in the English catalog."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.core.config import PROJECT_ROOT
from api.hub.config import load_hub_config
from api.render.renderer import Renderer

LOCALES = PROJECT_ROOT / "content" / "locales"
# The sample hub: every placeholder a message may use about the hub has a value in it.
HUB = load_hub_config(PROJECT_ROOT / "content" / "hub" / "north-yorkshire-york.yml")


def _walk_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("key"), str):
            yield node["key"]
        for value in node.values():
            yield from _walk_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_keys(value)


def domain_keys() -> set[str]:
    found: set[str] = set()
    for path in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        found |= set(_walk_keys(yaml.safe_load(path.read_text())))
    return found


def python_keys(folder: Path) -> set[str]:
    """String literals that look like message keys in MessageKey(...), say(...) and buttons."""
    found: set[str] = set()
    pattern = re.compile(r"^[a-z_]+\.[a-z_0-9]*[a-z0-9]$")  # not f-string prefixes like "x.y_"
    assert folder.is_dir(), f"no folder {folder}: has the code moved?"
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and pattern.match(node.value)
            ):
                found.add(node.value)
    return found


def test_there_are_keys_to_check() -> None:
    assert len(domain_keys()) > 20


@pytest.mark.parametrize("key", sorted(domain_keys()))
def test_every_domain_key_is_in_english(key: str) -> None:
    Renderer(LOCALES, HUB.message_params).text(key, "en")


def test_every_key_in_actions_and_api_is_in_english() -> None:
    renderer = Renderer(LOCALES, HUB.message_params)
    keys = python_keys(PROJECT_ROOT / "api" / "actions") | python_keys(
        PROJECT_ROOT / "api" / "chat"
    )
    keys = {
        k
        for k in keys
        if k.split(".")[0] not in {"api", "bot", "safety", "rasa_sdk"}
        and not k.endswith((".yml", ".py", ".json"))  # file names, not message keys
    }
    assert "exit.done" in keys and "emergency.call_999" in keys
    placeholders = {
        "reference": "FD-X", "days": 5, "value": "v", "url": "/u", "hub_days": 5, "number": "1",
        "waiting": "1", "minutes": "10", "ahead": "0", "name": "Sam", "text": "t",
    }  # fmt: skip
    for key in sorted(keys | built_keys()):
        renderer.text(key, "en", **placeholders)


def built_keys() -> set[str]:
    """Keys the actions build from names (f-strings), which the source scan cannot see."""
    from api.actions import referral
    from api.actions.hub_contact import helplines
    from api.actions.safety_plan import plan_content, step_key

    keys = {f"referral.outcome_{o}" for o in ("declined", "under_age", "out_of_area")}
    for slot in referral.ALL_FORM_SLOTS:
        if slot in {"contact_detail", "contact_shared"}:
            keys |= {f"referral.ask.{slot}_phone", f"referral.ask.{slot}_email"}
        elif slot != "change":
            keys.add(f"referral.ask.{slot}")
        if slot not in {"referral_consent", "summary_ok", "situation_words", "contact_change"}:
            keys.add(f"referral.summary.{slot}")
    keys |= {f"referral.summary_label.{slot}" for slot in referral.CHANGEABLE}
    keys |= {f"answer.need.{n}" for n in referral.NEEDS}
    keys |= {f"answer.situation.{s}" for s in referral.SITUATIONS}
    keys |= {f"answer.method.{m}" for m in referral.METHODS}
    keys |= {f"helplines.{line.id}" for line in helplines()}
    from api.actions import returning
    from api.referrals.returning import PLAIN_STATUS

    keys |= {f"returning.status.{status}" for status in PLAIN_STATUS.values()}
    keys |= {f"returning.option.{c}" for c in (*returning.OPTIONS, *returning.CONTACT_OPTIONS)}
    keys |= {f"returning.ask.{kind}" for kind in returning.IN_THEIR_WORDS}
    keys |= {f"returning.done.{kind}" for kind in (*returning.IN_THEIR_WORDS, *returning.AT_ONCE)}
    content = plan_content()
    for module, steps in content.modules.items():
        keys.add(f"plan.modules.{module}")
        keys |= {step_key(module, step) for step in steps}
    return keys


def test_no_message_is_too_long_for_a_chat_bubble() -> None:
    catalog = yaml.safe_load((LOCALES / "en" / "chat.yml").read_text())

    def leaves(node: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
        for key, value in node.items():
            if isinstance(value, dict):
                yield from leaves(value, f"{prefix}{key}.")
            else:
                yield f"{prefix}{key}", value

    for key, text in leaves(catalog):
        assert len(text) <= 600, key


@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_emergency_guidance_is_complete_in_every_language(locale: str) -> None:
    """The numbers themselves, in every language: a translation compared only with its
    own catalog could lose them unnoticed."""
    catalog = yaml.safe_load((LOCALES / locale / "chat.yml").read_text(encoding="utf-8"))
    emergency = catalog["emergency"]
    assert "999" in emergency["call_999"]
    silent = emergency["silent_solution"]
    assert "999" in silent and "55" in silent
    assert "0808 2000 247" in emergency["helpline"]
    assert "111" in emergency["medical"] and "999" in emergency["medical"]
    assert "116 123" in catalog["self_harm"]["samaritans"]


@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_the_minimum_age_comes_from_the_hub_configuration(locale: str) -> None:
    """A hub that takes referrals from 18 says 18 everywhere, in every language."""
    renderer = Renderer(LOCALES, {**HUB.message_params(locale), "minimum_age": "18"})
    for key in ("referral.outcome_under_age", "referral.invalid.age", "referral.child_info"):
        said = renderer.text(key, locale)
        assert "18" in said, key
        # The hub's service for children and young people (10 to 16) is another range.
        without_service = re.sub(r"10\D{1,8}16", "", said)
        assert not re.search(r"(?<![0-9])16(?![0-9])", without_service), key


def test_no_catalog_says_abuse_only_happens_from_16() -> None:
    """The legal definition needs both people 16 or over; abuse of anyone younger is still
    abuse. Nothing a 14-year-old reads may say otherwise."""
    page = yaml.safe_load(
        (PROJECT_ROOT / "content" / "resources" / "en" / "what-is-domestic-abuse.yml").read_text()
    )
    assert "16 and over" not in page["summary"]
    assert "0800 1111" in page["body"]


@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_the_hubs_own_line_is_given_with_its_hours_in_every_language(locale: str) -> None:
    """The hub's number, name and hours come from its configuration, in the reader's
    language: never an English name inside a Polish sentence, never a number in a catalog."""
    renderer = Renderer(LOCALES, HUB.message_params)
    assert HUB.contact is not None
    hours = HUB.contact.hours_text[locale]
    for key in ("talk.hub_closed", "referral.hub_line", "referral.while_closed"):
        said = renderer.text(key, locale)
        assert hours in said, key
    for key in ("talk.hub_open", "talk.hub_closed", "referral.hub_line"):
        assert HUB.contact.phone in renderer.text(key, locale), key
    assert HUB.name_in(locale) in renderer.text("talk.hub_open", locale)
    if locale != "en":
        assert "the North Yorkshire" not in renderer.text("referral.ask.referral_consent", locale)
    # Out of hours, the 24-hour line is always there too.
    for key in ("referral.while_closed", "referral.before_then"):
        assert "0808 2000 247" in renderer.text(key, locale), key
    raw = yaml.safe_load((LOCALES / locale / "chat.yml").read_text(encoding="utf-8"))
    assert HUB.contact.phone not in str(raw), "the hub's number belongs in its configuration"


@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_worry_about_own_behaviour_names_the_programme_and_the_respect_line(locale: str) -> None:
    renderer = Renderer(LOCALES, HUB.message_params)
    assert HUB.behaviour_programme is not None
    programme = renderer.text("behaviour.programme", locale)
    assert HUB.behaviour_programme.name in programme
    assert HUB.behaviour_programme.phone in programme
    assert "0808 802 4040" in renderer.text("behaviour.respect", locale)
    assert "999" in renderer.text("behaviour.danger", locale)
    # The national helpline is not the way into the hub's service for children.
    child = renderer.text("referral.child_next", locale)
    assert "0808 800 5000" in child and "0808 2000 247" not in child


@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_the_behaviour_page_points_to_the_programme_by_the_buttons_the_chat_shows(
    locale: str,
) -> None:
    """People worried about their own behaviour are not referred by the hub: the page says
    which buttons lead to the programme, in the words those buttons have."""
    page = yaml.safe_load(
        (
            PROJECT_ROOT / "content" / "resources" / locale / "worried-about-your-behaviour.yml"
        ).read_text(encoding="utf-8")
    )
    renderer = Renderer(LOCALES, HUB.message_params)
    text = page["summary"] + page["body"]
    assert renderer.text("menu.support", locale) in page["body"]
    assert renderer.text("referral.for.behaviour", locale) in page["body"]
    assert not re.search(r"(?<![0-9])16(?![0-9])", text)  # no "the hub refers people 16+"


@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_only_lines_open_day_and_night_are_called_24_hour(locale: str) -> None:
    """Each specialist line's hours come from content/helplines.yml, never a sentence: a
    line not confirmed to be open 24 hours is never said to be, in any language."""
    from api.actions.hub_contact import helpline_items, helplines
    from api.render.schemas import ItemKey

    renderer = Renderer(LOCALES, HUB.message_params)
    always = renderer.text("helplines.line_24_hours", locale, value="", number="")
    marker = always.strip(" :،,")
    assert marker, "the 24-hour words must not be empty"
    lines = {line.number: line for line in helplines()}
    assert lines["0800 027 1234"].open_24_hours  # Scotland's helpline
    assert not lines["0808 801 0327"].open_24_hours  # the Men's Advice Line is not
    for item in helpline_items():
        said = renderer._item(ItemKey.model_validate(item), locale)
        number = item["params"]["number"]
        assert number in said
        assert (marker in said) is lines[number].open_24_hours, said
    raw = (LOCALES / locale / "chat.yml").read_text(encoding="utf-8")
    assert not any(number in raw for number in lines if number != "116 123"), (
        "specialist numbers belong in content/helplines.yml"
    )
