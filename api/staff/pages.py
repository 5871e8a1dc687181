"""The console's server-rendered pages: one Jinja environment, no third-party assets.

Staff-facing words stay in English and live in the templates, not in Python.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from api.core.clock import aware, utcnow


class PageNotFound(Exception):
    """A console page for something that does not exist (or no longer does)."""


TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
STATIC_DIR = Path(__file__).parent / "static"


@pass_context
def _when(context: Context, moment: datetime | None) -> str:
    """A moment in the hub's time zone, named ("01 Jul 2027 18:00 BST")."""
    moment = aware(moment)
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(context.get("time_zone") or "UTC"))
    return local.strftime("%d %b %Y %H:%M %Z")


def _minutes_since(moment: datetime | None) -> int:
    """Whole minutes since a moment; the templates say it in words."""
    moment = aware(moment)
    if moment is None:
        return 0
    return max(0, int((utcnow() - moment).total_seconds() // 60))


TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.filters["minutes_since"] = _minutes_since


def see_other(path: str) -> RedirectResponse:
    """After a form: go to a page (303), so reloading it does not post again."""
    return RedirectResponse(path, status_code=303)


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    zone = {"time_zone": request.app.state.hub.time_zone}
    return TEMPLATES.TemplateResponse(
        request, template, {**zone, **context}, status_code=status_code
    )
