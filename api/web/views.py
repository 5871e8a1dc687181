"""The web chat page. Everything it shows comes from the catalogs and the settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.core.config import Settings
from api.deps import PageLocaleDep, RendererDep, SettingsDep
from api.render.bidi import isolate_left_to_right
from api.render.renderer import Renderer

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(tags=["web"], include_in_schema=False)


def page_words(renderer: Renderer, settings: Settings, locale: str) -> dict[str, Any]:
    """What every page needs: its words and language, the exit destination, the title
    option, and the other languages it can be read in."""

    rtl = renderer.languages.direction(locale) == "rtl"

    def words(key: str, **params: Any) -> str:
        text = renderer.text(key, locale, namespace="web", **params)
        return isolate_left_to_right(text) if rtl else text

    def in_language(path: str) -> str:
        """A link to this site that keeps the reader's language (even English on a browser
        that asks for another: the reader chose it)."""
        return f"{path}?lang={locale}"

    t: Callable[..., str] = words
    return {
        "locale": locale,
        "direction": renderer.languages.direction(locale),
        "languages": renderer.languages.all(),
        "directions": {language.code: language.direction for language in renderer.languages.all()},
        "t": t,
        "link": in_language,
        "exit_destination": settings.exit_destination,
        "neutral_title": settings.neutral_page_title,
        "embedded": False,
    }


# Paths that are for programs, not people: their 404 stays JSON.
MACHINE_PATHS = ("/api/", "/channels/", "/webhooks/", "/static/", "/health")


def wants_a_page(request: Request) -> bool:
    """A person's browser asking for a page, not a program asking the API."""
    accepts_html = "text/html" in request.headers.get("accept", "")
    return accepts_html and not request.url.path.startswith(MACHINE_PATHS)


def not_found_page(request: Request) -> HTMLResponse:
    """A page that is not here: in the reader's language, with the exit, 999 and the
    way back, never an English error in JSON."""
    renderer: Renderer = request.app.state.renderer
    settings: Settings = request.app.state.settings
    asked = request.query_params.get("lang")
    languages = renderer.languages
    locale = (
        asked
        if languages.supports(asked)
        else languages.from_accept_language(request.headers.get("accept-language"))
        or languages.default
    )
    return TEMPLATES.TemplateResponse(
        request,
        "not_found.html",
        page_words(renderer, settings, str(locale)),
        status_code=404,
        headers={"Cache-Control": "no-store", "Vary": "Accept-Language"},
    )


# The chat page's own words, in every language, so it can follow a change of language
# made during the conversation without reloading (which would lose the conversation).
CHAT_PAGE_WORDS = (
    "title", "heading", "input_label", "send", "typing", "error", "too_long",
    "exit_button", "exit_hidden_prefix", "exit_note_heading", "exit_note_text",
    "exit_note_link", "exit_note_dismiss", "transcript_label", "language_label",
    "shift_two_more", "shift_one_more",
)  # fmt: skip


def chat_page_words(renderer: Renderer) -> dict[str, dict[str, str]]:
    return {
        language.code: {
            **{key: renderer.text(key, language.code, namespace="web") for key in CHAT_PAGE_WORDS},
            "direction": language.direction,
        }
        for language in renderer.languages.all()
    }


def chat_context(
    renderer: Renderer, settings: Settings, locale: str, *, embedded: bool
) -> dict[str, Any]:
    context = page_words(renderer, settings, locale)
    context["max_chars"] = settings.max_message_chars
    context["embedded"] = embedded
    context["page_words"] = chat_page_words(renderer)
    return context


@router.get("/", response_class=HTMLResponse)
async def chat_page(
    request: Request, renderer: RendererDep, settings: SettingsDep, locale: PageLocaleDep
) -> HTMLResponse:
    context = chat_context(renderer, settings, locale, embedded=False)
    return TEMPLATES.TemplateResponse(request, "chat.html", context, headers=VARY)


# Pages chosen by the browser's Accept-Language must not be cached for another reader.
VARY = {"Vary": "Accept-Language"}

WIDGET_WORDS = (
    "widget_open", "widget_close", "widget_frame_title", "exit_button",
    "exit_hidden_prefix", "shift_two_more", "shift_one_more",
)  # fmt: skip


@router.get("/widget.js")
async def widget_script(
    request: Request, renderer: RendererDep, settings: SettingsDep, locale: PageLocaleDep
) -> Response:
    """The script a service puts on its own website; its words come from the catalogs, in
    the visitor's language (or the one in its address: /widget.js?lang=ar)."""
    words = {key: renderer.text(key, locale, namespace="web") for key in WIDGET_WORDS}
    return TEMPLATES.TemplateResponse(
        request,
        "widget.js",
        {
            "words": words,
            "exit_destination": settings.exit_destination,
            "locale": locale,
            "direction": renderer.languages.direction(locale),
        },
        media_type="application/javascript",
        headers=VARY,
    )


@router.get("/embed", response_class=HTMLResponse)
async def embedded_chat(
    request: Request,
    renderer: RendererDep,
    settings: SettingsDep,
    locale: PageLocaleDep,
    parent_origin: str = "",
) -> HTMLResponse:
    """The chat inside the widget's frame; the host page shows the exit button."""
    context = chat_context(renderer, settings, locale, embedded=True)
    # Only a configured website receives the conversation id and the exit signal.
    context["parent_origin"] = parent_origin if parent_origin in settings.embed_origins else ""
    return TEMPLATES.TemplateResponse(request, "chat.html", context, headers=VARY)
