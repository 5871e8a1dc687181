"""The Front Door API: web chat, channels, Rasa's custom actions, the staff console, health."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session

from api.actions.deps import ActionDeps
from api.actions.executor import build_executor
from api.actions.views import router as actions_router
from api.channels.service import ChannelService
from api.channels.views import router as channels_router
from api.channels.words import get_channel_words
from api.chat.schemas import VISIBLE_CHARACTER
from api.chat.service import ChatService
from api.chat.views import router as chat_router
from api.core.background import run_every
from api.core.channels import TEXT_ONLY_CHANNELS
from api.core.clock import utcnow
from api.core.config import Settings, get_settings
from api.core.crypto import FieldCipher, encryption_keys
from api.core.db import make_engine, migrate
from api.core.errors import install_error_handlers
from api.core.limits import ChatLimits, make_limiter
from api.core.logging import configure_logging
from api.core.middleware import SafetyHeadersMiddleware
from api.erasure.scheduled import purge_inactive
from api.erasure.service import ConversationEraser
from api.health.views import router as health_router
from api.hub import worker as hub_worker
from api.hub.config import hub_config
from api.hub.delivery import deliver_due
from api.languages.registry import load_languages
from api.live import service as live
from api.live.present import ending_keys
from api.nlu.audiences import AudienceCues
from api.nlu.danger import get_danger_net
from api.nlu.retrieval import get_retriever
from api.rasa.client import RasaClient
from api.referrals import returning
from api.referrals import service as referrals
from api.referrals import spool as referral_spool
from api.referrals.outbound import LiveTexts, NotSent, OutboundSender
from api.referrals.returning import ReturningPolicy
from api.referrals.runtime import ReferralRuntime
from api.render.renderer import Renderer
from api.resources.store import get_store
from api.resources.views import router as resources_router
from api.staff import admin_views, casework_views, live_views
from api.staff import auth as staff_auth
from api.staff import views as staff_views
from api.staff.pages import STATIC_DIR as STAFF_STATIC_DIR
from api.web.views import STATIC_DIR, not_found_page, wants_a_page
from api.web.views import router as web_router


def page_for_a_person(request: Request) -> Response | None:
    """A 404 for a person's browser is a page in their language with the exit."""
    return not_found_page(request) if wants_a_page(request) else None


def background_work(
    app: FastAPI, settings: Settings, eraser: ConversationEraser
) -> list[tuple[str, float, Callable[[], Awaitable[object]]]]:
    """What each API process does in the background, and how often (api/core/background.py)."""
    engine = app.state.engine
    spool_dir = settings.referral_spool_dir
    referral_spool.recover_abandoned(spool_dir)

    async def replay_spool() -> None:
        if referral_spool.waiting(spool_dir):
            await asyncio.to_thread(referral_spool.replay, engine, spool_dir)

    async def purge() -> None:
        await purge_inactive(eraser, timedelta(hours=settings.conversation_retention_hours))
        with Session(engine) as db_session:
            referrals.purge_closed(db_session, settings.closed_referral_retention_days)
            returning.purge_codes(db_session)
        app.state.limiter.purge()

    hub = app.state.hub

    async def live_queue() -> None:
        """Waits that ran out (or the hub closed) end with the helpline and the offer of a
        referral; endings the survivor has had time to see are forgotten."""
        with Session(engine) as db_session:
            expired = live.expire_waiting(
                db_session,
                max_wait=timedelta(minutes=hub.live_chat.max_wait_minutes),
                hub_open=hub.is_open(utcnow()),
            )
            live.purge_finished(db_session, timedelta(seconds=settings.live_ended_keep_seconds))
        for chat in expired:
            logging.getLogger(__name__).info("conversation=%s live wait over", chat.conversation_id)
            if chat.channel in TEXT_ONLY_CHANNELS:  # the web page hears it by its stream
                keys = ending_keys("timed_out", "")
                rendered, options = app.state.renderer.for_channel(keys, chat.locale, chat.channel)
                texts = [m.text for m in rendered]
                sender = app.state.live_texts
                await asyncio.to_thread(_send_texts, engine, sender, chat.address, texts, options)

    work: list[tuple[str, float, Callable[[], Awaitable[object]]]] = [
        ("spool replay", settings.spool_replay_seconds, replay_spool),
        ("retention pass", settings.purge_every_seconds, purge),
        ("erasures waiting for rasa", settings.erase_retry_seconds, eraser.retry_waiting),
        ("live chat queue", settings.live_queue_check_seconds, live_queue),
    ]
    policy = hub_worker.policy_from(settings)
    if policy is not None and settings.outbox_worker_in_api:
        cipher = app.state.cipher

        async def deliver() -> None:
            await asyncio.to_thread(deliver_due, engine, cipher, policy)

        work.append(("outbox pass", settings.outbox_poll_seconds, deliver))
    return work


def _send_texts(
    engine: Any, texts_out: LiveTexts, sealed: str | None, texts: list[str], options: list[str]
) -> None:
    try:
        with Session(engine) as db_session:
            texts_out.send(db_session, sealed_address=sealed, texts=texts, options=options)
    except NotSent as reason:
        logging.getLogger(__name__).warning("live texts not sent reason=%s", reason.reason)
    except Exception as error:  # Twilio unreachable: logged, never raised into the loop
        logging.getLogger(__name__).error("live texts failed error=%s", type(error).__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            migrate(settings.database_url)
        app.state.settings = settings
        app.state.engine = make_engine(settings.database_url)
        app.state.cipher = FieldCipher(encryption_keys(settings))
        app.state.limiter = make_limiter(settings, app.state.engine)
        chat_limits = ChatLimits.from_settings(settings)
        rasa = RasaClient(
            settings.rasa_addresses,
            settings.rasa_token.get_secret_value(),
            settings.rasa_timeout_seconds,
        )
        hub = hub_config(settings.hub_config_file)
        app.state.hub = hub
        if hub.contact is not None and hub.contact.closed_days_run_out(utcnow().date()):
            logging.getLogger(__name__).warning(
                "the hub configuration lists no closed days (bank holidays) in the next six "
                "months: add them (contact.closed_on), or the hub is shown open on them"
            )
        # The topic pages as this process read them: the pages served, the actions' and the
        # topic retriever's are the same reading, as the hub's configuration is.
        resources = get_store()
        app.state.resources = resources
        languages = load_languages(
            locales_dir=settings.locales_dir, default=settings.default_locale
        )
        renderer = Renderer(
            settings.locales_dir, hub.message_params, resources, settings.public_base_url, languages
        )
        app.state.renderer = renderer
        eraser = ConversationEraser(app.state.engine, rasa)
        app.state.eraser = eraser
        app.state.chat = ChatService(
            rasa,
            renderer,
            settings.default_locale,
            app.state.limiter,
            chat_limits,
            app.state.cipher,
            timedelta(hours=settings.numbered_options_hours),
            eraser,
        )
        app.state.channels = ChannelService(
            app.state.chat,
            get_channel_words(),
            settings.channel_id_key.get_secret_value(),
            settings.max_message_chars,
        )
        app.state.outbound = OutboundSender(settings, renderer)
        app.state.live_texts = LiveTexts(app.state.outbound, app.state.cipher)
        referral_runtime = ReferralRuntime(
            app.state.engine,
            app.state.cipher,
            hub_worker.connectors(settings),
            settings.referral_spool_dir,
            limiter=app.state.limiter,
            referral_limit=chat_limits.referrals,
            returning=ReturningPolicy.from_settings(settings),
            outbound=app.state.outbound,
        )
        # Rasa's custom actions, built with the same hub, content, languages and database
        # as the rest of the app (api/actions/deps.py).
        app.state.action_executor = build_executor(
            ActionDeps(
                hub=hub,
                resources=resources,
                languages=languages,
                referrals=referral_runtime,
                retriever=get_retriever,  # over the same pages; built once, on first use
                cues=AudienceCues(),
                default_locale=settings.default_locale,
                live=live.LiveQueue(app.state.engine),
            )
        )
        # The topic retriever is built in the background (its first build encodes every
        # passage; later starts read them from var/cache), so start-up does not wait.
        warming = asyncio.create_task(asyncio.to_thread(_warm_retriever))
        stop = asyncio.Event()
        background = [
            asyncio.create_task(run_every(name, every, stop, work))
            for name, every, work in background_work(app, settings, eraser)
        ]
        yield
        stop.set()
        await warming
        await asyncio.gather(*background)
        await referral_runtime.codes_sent()
        await eraser.aclose()
        await rasa.aclose()
        app.state.engine.dispose()

    docs = settings.api_docs_enabled
    app = FastAPI(
        title="Front Door",
        summary="The digital front door of a domestic abuse Central Referral Hub.",
        version="0.1.0",
        lifespan=lifespan,
        # Off in production unless API_DOCS says otherwise: the map of every route is for
        # developers and integrators, not for anyone who finds the service.
        openapi_url="/openapi.json" if docs else None,
        docs_url="/docs" if docs else None,
        redoc_url=None,
    )
    app.router.redirect_slashes = False  # see the 404 handler: no redirects built from Host
    install_error_handlers(app, page_not_found=page_for_a_person)
    document_limits(app, settings)
    app.add_middleware(SafetyHeadersMiddleware, embed_origins=settings.embed_origins)
    app.include_router(chat_router)
    app.include_router(channels_router)
    app.include_router(actions_router)
    app.include_router(health_router)
    app.include_router(resources_router)
    app.include_router(web_router)
    staff_auth.install(app)
    app.include_router(staff_views.router)
    app.include_router(casework_views.router)
    app.include_router(admin_views.router)
    app.include_router(live_views.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/staff/static", StaticFiles(directory=STAFF_STATIC_DIR), name="staff-static")
    return app


def _warm_retriever() -> None:
    try:
        get_danger_net()
        get_retriever()
    except Exception:  # built again, and reported, when first used
        logging.getLogger(__name__).exception("sentence encoder models not built")


def document_limits(app: FastAPI, settings: Settings) -> None:
    """The OpenAPI document states the limits this deployment applies: the message length
    and the languages it has catalogs for (so clients and schema tests see the truth)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            fields = document["components"]["schemas"]["ChatRequest"]["properties"]
            # At least one character that is neither a space nor a control character (Python
            # strips \x1c-\x1f and \x85 as spaces, which a JSON Schema \s does not), and no
            # more than the limit.
            fields["text"].update(
                {"maxLength": settings.max_message_chars, "pattern": VISIBLE_CHARACTER}
            )
            locales = sorted(p.name for p in settings.locales_dir.iterdir() if p.is_dir())
            fields["locale"]["anyOf"][0]["enum"] = locales
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
