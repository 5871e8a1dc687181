"""Topic content: loaded and checked at start-up, and served as pages."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from api.resources.store import RESOURCES_DIR, ContentError, ResourceStore


@pytest.fixture(scope="module")
def store() -> ResourceStore:
    return ResourceStore()


def test_there_are_at_least_22_topics_each_complete(store: ResourceStore) -> None:
    assert len(store.slugs) >= 22
    for resource in store.all("en"):
        assert len(resource.summary) <= 600
        assert 1 <= len(resource.related) <= 4
        assert resource.next in {"safety_plan", "get_support", "talk_to_someone"}


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("what is coercive control", "coercive-control"),
        ("how do I get a non-molestation order", "legal-protection"),
        ("what is clare's law", "legal-protection"),
        ("im a man can men be abused", "male-survivors"),
        ("tell me about stalking", "stalking-and-harassment"),
        ("my son hits me", "child-to-parent-abuse"),
        ("is it abuse if he controls the money", "economic-abuse"),
        ("how do i delete my history", "covering-your-tracks"),
        ("can i get a refuge", "leaving"),
    ],
)
def test_questions_find_their_topic(store: ResourceStore, question: str, slug: str) -> None:
    found = store.match(question, "en")
    assert found is not None and found.slug == slug


def test_small_talk_matches_no_topic(store: ResourceStore) -> None:
    assert store.match("hello there", "en") is None


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "resources"
    shutil.copytree(RESOURCES_DIR, root)
    return root


def test_a_missing_field_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    page = root / "en" / "leaving.yml"
    page.write_text(page.read_text().replace("title:", "heading:"))
    with pytest.raises(ContentError):
        ResourceStore(root)


def test_a_broken_link_between_topics_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    page = root / "en" / "leaving.yml"
    page.write_text(page.read_text().replace("related: [", "related: [no-such-topic, "))
    with pytest.raises(ContentError):
        ResourceStore(root)


def test_a_topic_missing_from_the_menu_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "en" / "extra-topic.yml").write_text((root / "en" / "leaving.yml").read_text())
    with pytest.raises(ContentError):
        ResourceStore(root)


def test_an_over_long_summary_fails(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    page = root / "en" / "leaving.yml"
    page.write_text(
        page.read_text().replace("summary: >-\n", "summary: >-\n  " + "word " * 150 + "\n", 1)
    )
    with pytest.raises(ContentError):
        ResourceStore(root)


def test_every_topic_page_is_served_with_exit_and_links(
    client: TestClient, store: ResourceStore
) -> None:
    for resource in store.all("en"):
        response = client.get(f"/resources/{resource.slug}")
        assert response.status_code == 200
        page = response.text
        assert resource.title in page
        assert 'class="exit-button"' in page
        assert "999" in page
        for related in resource.related:
            assert f'href="/resources/{related}?lang=en"' in page
        assert response.headers["cache-control"] == "no-store"
        assert "<script>" not in page


def test_index_lists_every_topic(client: TestClient, store: ResourceStore) -> None:
    page = client.get("/resources").text
    for slug in store.slugs:
        assert f'href="/resources/{slug}?lang=en"' in page


@pytest.mark.parametrize(
    ("path", "locale", "heading"),
    [
        ("/resources/no-such-topic", "en", "That page isn't here"),
        ("/resources/no-such-topic?lang=pl", "pl", "Nie ma tej strony"),
        ("/no-such-page?lang=ar", "ar", "هذه الصفحة غير موجودة"),
    ],
)
def test_a_page_that_is_not_here_is_a_page_in_their_language_with_the_exit(
    client: TestClient, path: str, locale: str, heading: str
) -> None:
    """A survivor who follows an old link gets a page they can read, with the exit and
    999, never an English error in JSON."""
    response = client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = html.unescape(response.text)
    assert f'lang="{locale}"' in page and heading in page
    assert 'class="exit-button"' in page and "999" in page
    assert response.headers["cache-control"] == "no-store"


def test_a_program_still_gets_json_for_a_missing_api_path(client: TestClient) -> None:
    response = client.get("/api/no-such-thing", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get("/resources/..%2F..%2Fetc").status_code == 404


def test_a_page_not_yet_translated_in_full_is_shown_in_english_with_a_notice(
    client: TestClient, tmp_path: Path
) -> None:
    """Every page is translated today; a new English topic reaches readers before its
    translation does, so the reader gets their own title and summary, then the English
    page marked as English, and a notice in their language."""
    from api.deps import get_resources

    root = _copy(tmp_path)
    page = root / "pl" / "emotional-abuse.yml"
    page.write_text(page.read_text(encoding="utf-8").split("\nbody:", 1)[0] + "\n", "utf-8")
    partial = ResourceStore(root)

    async def partial_store() -> ResourceStore:
        return partial

    app = client.app
    app.dependency_overrides[get_resources] = partial_store  # type: ignore[attr-defined]
    try:
        html = client.get("/resources/emotional-abuse?lang=pl").text
        whole = client.get("/resources/leaving?lang=pl").text
    finally:
        app.dependency_overrides.clear()  # type: ignore[attr-defined]
    catalog = RESOURCES_DIR.parent / "locales" / "pl" / "web.yml"
    notice = yaml.safe_load(catalog.read_text(encoding="utf-8"))["not_translated"]
    assert partial.get("emotional-abuse", "pl").title in html  # type: ignore[union-attr]
    assert notice in html and '<div class="resource-body" lang="en" dir="ltr">' in html
    assert notice not in whole
