"""The full topic pages at /resources: server-rendered, readable on a phone, with the exit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt

from api.deps import HubDep, PageLocaleDep, RendererDep, ResourcesDep, SettingsDep
from api.web.views import TEMPLATES, VARY, not_found_page, page_words

router = APIRouter(prefix="/resources", tags=["resources"], include_in_schema=False)

# Content is trusted but still plain: no raw HTML from the Markdown files.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


@router.get("", response_class=HTMLResponse)
async def resources_index(
    request: Request,
    renderer: RendererDep,
    settings: SettingsDep,
    store: ResourcesDep,
    locale: PageLocaleDep,
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request,
        "resources_index.html",
        {**page_words(renderer, settings, locale), "resources": store.all(locale)},
        headers=VARY,
    )


@router.get("/{slug}", response_class=HTMLResponse)
async def resource_page(
    slug: str,
    request: Request,
    renderer: RendererDep,
    settings: SettingsDep,
    store: ResourcesDep,
    hub: HubDep,
    locale: PageLocaleDep,
) -> HTMLResponse:
    resource = store.get(slug, locale) if slug in store.slugs else None
    english = store.english(slug)
    if resource is None or english is None:
        return not_found_page(request)
    related = [r for s in resource.related if (r := store.get(s, locale)) is not None]
    # Not yet translated in full: the reader's title and summary, then the English page.
    body_resource = resource if resource.body is not None else english
    return TEMPLATES.TemplateResponse(
        request,
        "resource.html",
        {
            **page_words(renderer, settings, locale),
            "resource": resource,
            # What depends on the area (which police order it has) as the hub's file says.
            "body_html": _markdown.render(body_resource.page(hub.page_choices()) or ""),
            "body_lang": body_resource.locale,
            "body_direction": renderer.languages.direction(body_resource.locale),
            "related": related,
            "translated": body_resource.locale == locale,
        },
        headers=VARY,
    )
