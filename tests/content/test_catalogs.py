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
from api.render.renderer import Renderer

LOCALES = PROJECT_ROOT / "content" / "locales"


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
    Renderer(LOCALES, {"hub_name": "x", "hub_short_name": "x", "minimum_age": "16"}).text(key, "en")


def test_every_key_in_actions_and_api_is_in_english() -> None:
    renderer = Renderer(LOCALES, {"hub_name": "x", "hub_short_name": "x", "minimum_age": "16"})
    keys = python_keys(PROJECT_ROOT / "bot" / "actions") | python_keys(
        PROJECT_ROOT / "api" / "chat"
    )
    keys = {
        k
        for k in keys
        if k.split(".")[0] not in {"api", "bot", "safety", "rasa_sdk"}
        and not k.endswith((".yml", ".py", ".json"))  # file names, not message keys
    }
    assert "exit.done" in keys and "emergency.call_999" in keys
    placeholders = {"reference": "FD-X", "days": 5, "value": "v", "url": "/u", "hub_days": 5}
    for key in sorted(keys | built_keys()):
        renderer.text(key, "en", **placeholders)


def built_keys() -> set[str]:
    """Keys the actions build from names (f-strings), which the source scan cannot see."""
    from bot.actions import referral
    from bot.actions.safety_plan import plan_content, step_key

    keys = {f"referral.outcome_{o}" for o in ("declined", "under_age", "out_of_area")}
    for slot in referral.ALL_FORM_SLOTS:
        if slot == "contact_detail":
            keys |= {"referral.ask.contact_detail_phone", "referral.ask.contact_detail_email"}
        elif slot != "change":
            keys.add(f"referral.ask.{slot}")
        if slot not in {"referral_consent", "summary_ok", "situation_words"}:
            keys.add(f"referral.summary.{slot}")
    keys |= {f"referral.summary_label.{slot}" for slot in referral.CHANGEABLE}
    keys |= {f"answer.need.{n}" for n in referral.NEEDS}
    keys |= {f"answer.situation.{s}" for s in referral.SITUATIONS}
    keys |= {f"answer.method.{m}" for m in referral.METHODS}
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
    renderer = Renderer(LOCALES, {"hub_name": "x", "hub_short_name": "x", "minimum_age": "18"})
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
