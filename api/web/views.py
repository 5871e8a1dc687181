"""The web chat page. Everything it shows comes from the catalogs and the settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
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
    }


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, renderer: RendererDep, settings: SettingsDep) -> HTMLResponse:
    context = page_words(renderer, settings, settings.default_locale)
    context["max_chars"] = settings.max_message_chars
    return TEMPLATES.TemplateResponse(request, "chat.html", context)
