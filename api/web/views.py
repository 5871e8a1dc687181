"""The web chat page. Everything it shows comes from the catalogs and the settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.core.config import Settings
from api.deps import RendererDep, SettingsDep
from api.render.renderer import Renderer

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(tags=["web"], include_in_schema=False)


def page_words(renderer: Renderer, settings: Settings, locale: str) -> dict[str, Any]:
    """What every page needs: its words, the exit destination and the title option."""

    def words(key: str, **params: Any) -> str:
        return renderer.text(key, locale, namespace="web", **params)

    t: Callable[..., str] = words
    return {
        "locale": locale,
        "t": t,
        "exit_destination": settings.exit_destination,
        "neutral_title": settings.neutral_page_title,
        "embedded": False,
    }


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, renderer: RendererDep, settings: SettingsDep) -> HTMLResponse:
    context = page_words(renderer, settings, settings.default_locale)
    context["max_chars"] = settings.max_message_chars
    return TEMPLATES.TemplateResponse(request, "chat.html", context)


WIDGET_WORDS = (
    "widget_open", "widget_close", "widget_frame_title", "exit_button",
    "exit_hidden_prefix", "shift_two_more", "shift_one_more",
)  # fmt: skip


@router.get("/widget.js")
async def widget_script(request: Request, renderer: RendererDep, settings: SettingsDep) -> Response:
    """The script a service puts on its own website; its words come from the catalogs."""
    locale = settings.default_locale
    words = {key: renderer.text(key, locale, namespace="web") for key in WIDGET_WORDS}
    return TEMPLATES.TemplateResponse(
        request,
        "widget.js",
        {"words": words, "exit_destination": settings.exit_destination},
        media_type="application/javascript",
    )


@router.get("/embed", response_class=HTMLResponse)
async def embedded_chat(
    request: Request, renderer: RendererDep, settings: SettingsDep, parent_origin: str = ""
) -> HTMLResponse:
    """The chat inside the widget's frame; the host page shows the exit button."""
    context = page_words(renderer, settings, settings.default_locale)
    context["max_chars"] = settings.max_message_chars
    context["embedded"] = True
    # Only a configured website receives the conversation id and the exit signal.
    context["parent_origin"] = parent_origin if parent_origin in settings.embed_origins else ""
    return TEMPLATES.TemplateResponse(request, "chat.html", context)
