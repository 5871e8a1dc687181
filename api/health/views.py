"""GET /healthz: the state of the API, Rasa and the database, for people and monitors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from api.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(request: Request, db_session: SessionDep) -> dict[str, str]:
    try:
        db_session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        database = "ok"
    except Exception:
        database = "unavailable"
    rasa = "ok" if await request.app.state.chat.rasa.is_ready() else "unavailable"
    overall = "ok" if database == rasa == "ok" else "degraded"
    return {"status": overall, "api": "ok", "rasa": rasa, "database": database}
