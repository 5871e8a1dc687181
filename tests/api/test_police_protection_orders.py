"""The legal-protection page describes the police protection the hub's area has.

Areas have either the Domestic Violence Protection Notice and Order (up to 28 days) or the
Domestic Abuse Protection Notice and Order (no fixed end date), so the hub's configuration
chooses, and every language shows only the paragraph for that scheme.
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.core.config import PROJECT_ROOT
from api.hub.config import HubConfig, load_hub_config
from api.main import create_app
from api.resources.store import RESOURCES_DIR, ContentError, ResourceStore
from tests.conftest import make_settings

SAMPLE_HUB = PROJECT_ROOT / "content" / "hub" / "north-yorkshire-york.yml"
SETTING = "police_protection_orders: dvpo\n"
LOCALES = ["en", "pl", "ur", "ar"]


def hub_file(folder: Path, line: str) -> Path:
    """The sample hub with the setting replaced by `line` (empty: left out)."""
    text = SAMPLE_HUB.read_text(encoding="utf-8")
    assert SETTING in text, "the sample hub names its police protection orders"
    path = folder / "hub.yml"
    path.write_text(text.replace(SETTING, line), encoding="utf-8")
    return path


def test_the_setting_defaults_to_dvpo_and_refuses_anything_else(tmp_path: Path) -> None:
    assert load_hub_config(hub_file(tmp_path, "")).police_protection_orders == "dvpo"
    assert load_hub_config(SAMPLE_HUB).page_choices() == {"police_protection_orders": "dvpo"}
    dapo = load_hub_config(hub_file(tmp_path, "police_protection_orders: dapo\n"))
    assert dapo.page_choices() == {"police_protection_orders": "dapo"}
    with pytest.raises(ValidationError):
        HubConfig(name="x", short_name="x", police_protection_orders="dvpn")  # type: ignore[arg-type]


# One app per hub, shared by the four languages' pages (an app takes a while to start).
@pytest.fixture(scope="module", params=["dvpo", "dapo", None], ids=["dvpo", "dapo", "not-set"])
def configured(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, TestClient]]:
    value: str | None = request.param
    line = f"police_protection_orders: {value}\n" if value else ""
    folder = tmp_path_factory.mktemp("hub")
    settings = make_settings(folder, hub_config_file=hub_file(folder, line))
    with TestClient(create_app(settings)) as client:
        yield value or "dvpo", client


@pytest.mark.parametrize("locale", LOCALES)
def test_the_page_shows_only_the_configured_scheme(
    configured: tuple[str, TestClient], locale: str
) -> None:
    scheme, client = configured
    response = client.get(f"/resources/legal-protection?lang={locale}")
    assert response.status_code == 200
    # The page's own words (the Markdown body), not the template around them.
    body = html.unescape(response.text.split('class="resource-body"', 1)[1].split("</div>")[0])
    resource = ResourceStore().get("legal-protection", locale)
    assert resource is not None and resource.locale == locale
    texts = resource.variants["police_protection_orders"]
    shown, hidden = ("DVPO", "DAPO") if scheme == "dvpo" else ("DAPO", "DVPO")
    assert shown in body and hidden not in body
    # The chosen paragraph's own words, rendered, and no placeholder left behind.
    assert " ".join(texts[scheme].split()[:4]) in " ".join(body.split())
    assert "%{" not in body
    # A DVPO lasts up to 28 days; a DAPO has no fixed end, so the number must not show.
    assert ("28" in body) == (scheme == "dvpo")


def test_the_chat_search_reads_both_schemes() -> None:
    """Whatever the area has, a question naming either order finds the page."""
    from api.nlu.retrieval import passages_of

    english = ResourceStore().english("legal-protection")
    assert english is not None
    text = " ".join(passages_of(english))
    assert "DVPO" in text and "DAPO" in text and "%{" not in text


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "resources"
    shutil.copytree(RESOURCES_DIR, root)
    return root


@pytest.mark.parametrize(
    ("locale", "old", "new"),
    [
        # A paragraph missing for one value: a hub with that value would show nothing.
        ("en", "    dapo: |", "    dapx: |"),
        # A setting the hub does not have.
        ("en", "  police_protection_orders:\n", "  police_orders:\n"),
        # The body names a setting no paragraph is written for.
        ("en", "%{police_protection_orders}", "%{police_protection_orders}\n\n  %{area}"),
        # A translation that drops the choice would show the same paragraph everywhere.
        ("pl", "%{police_protection_orders}", "Policja może pomóc."),
    ],
    ids=["missing-value", "unknown-setting", "unwritten-setting", "translation-drops-it"],
)
def test_a_page_that_does_not_cover_every_hub_fails(
    tmp_path: Path, locale: str, old: str, new: str
) -> None:
    root = _copy(tmp_path)
    page = root / locale / "legal-protection.yml"
    text = page.read_text(encoding="utf-8")
    assert old in text
    if locale != "en" and old.startswith("%{"):
        text = text.split("\nvariants:", 1)[0] + "\n"
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError):
        ResourceStore(root)
