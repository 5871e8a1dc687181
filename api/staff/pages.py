"""The console's server-rendered pages: one Jinja environment, no third-party assets.

Staff-facing words stay in English and live in the templates, not in Python.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.conversations.models import utcnow


class PageNotFound(Exception):
    """A console page for something that does not exist (or no longer does)."""


TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
STATIC_DIR = Path(__file__).parent / "static"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=utcnow().tzinfo)
    return moment.strftime("%d %b %Y %H:%M UTC")


def _waiting(moment: datetime | None) -> str:
    """How long a referral has waited, as a person would say it."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=utcnow().tzinfo)
    minutes = int((utcnow() - moment).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"


TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.filters["waiting"] = _waiting


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
