"""The web chat page. Everything it shows comes from the catalogs and the settings."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import RendererDep, SettingsDep

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
STATIC_DIR = Path(__file__).parent / "static"

router = APIRouter(tags=["web"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def chat_page(request: Request, renderer: RendererDep, settings: SettingsDep) -> HTMLResponse:
    locale = settings.default_locale

    def words(key: str) -> str:
        return renderer.text(key, locale, namespace="web")

    return TEMPLATES.TemplateResponse(
        request,
        "chat.html",
        {
            "locale": locale,
            "t": words,
            "exit_destination": settings.exit_destination,
            "neutral_title": settings.neutral_page_title,
            "max_chars": settings.max_message_chars,
        },
    )
