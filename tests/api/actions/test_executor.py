"""The executor the API builds: exactly the actions the domain names, each built with the
app's own hub, content, languages and database."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi.testclient import TestClient

from api.actions.executor import all_actions, build_executor
from api.core.config import PROJECT_ROOT
from tests.api.actions.conftest import action_deps


def domain_actions() -> set[str]:
    names: set[str] = set()
    for path in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        names |= set(yaml.safe_load(path.read_text(encoding="utf-8")).get("actions") or [])
    return names


def test_every_action_the_domain_names_is_built_and_no_other() -> None:
    names = [action.name() for action in all_actions(action_deps())]
    assert len(names) == len(set(names)), "an action is built twice"
    assert set(names) == domain_actions()
    assert set(build_executor(action_deps()).actions) == domain_actions()


def test_the_actions_use_the_apps_own_hub_content_languages_and_database(
    client: TestClient,
) -> None:
    """One source of truth: what the actions use is what the rest of the app uses."""
    state = client.app.state  # type: ignore[attr-defined]
    run: Any = state.action_executor.actions["action_referral_finish"]
    deps = run.__self__.deps
    assert deps.hub is state.hub
    assert deps.resources is state.resources
    assert deps.languages is state.renderer.languages
    assert deps.referrals.engine is state.engine and deps.referrals.cipher is state.cipher
    assert deps.referrals.limiter is state.limiter
    assert deps.default_locale == state.settings.default_locale
