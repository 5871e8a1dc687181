"""Typed dependencies, so route signatures read like sentences.

They are `async def`, though none of them waits: FastAPI runs a plain `def` dependency in a
worker thread, and the hops to and from the thread pool cost more than the work itself
(about a third of a chat request's time, measured with cProfile).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel import Session

from api.channels.service import ChannelService
from api.chat.service import ChatService
from api.core.config import Settings
from api.core.crypto import FieldCipher
from api.hub.config import HubConfig
from api.render.renderer import Renderer
from api.resources.store import ResourceStore


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_chat_service(request: Request) -> ChatService:
    service: ChatService = request.app.state.chat
    return service


async def get_renderer(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer


async def get_channel_service(request: Request) -> ChannelService:
    service: ChannelService = request.app.state.channels
    return service


async def get_resources(request: Request) -> ResourceStore:
    store: ResourceStore = request.app.state.resources
    return store


ChatServiceDep = Annotated[ChatService, Depends(get_chat_service)]
ChannelServiceDep = Annotated[ChannelService, Depends(get_channel_service)]
ResourcesDep = Annotated[ResourceStore, Depends(get_resources)]
RendererDep = Annotated[Renderer, Depends(get_renderer)]


async def get_page_locale(
    request: Request,
    renderer: RendererDep,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> str:
    """A page's language: the one asked for (?lang=), else the browser's, else the default."""
    languages = renderer.languages
    if languages.supports(lang):
        return str(lang)
    return languages.from_accept_language(request.headers.get("accept-language")) or (
        languages.default
    )


PageLocaleDep = Annotated[str, Depends(get_page_locale)]


async def get_cipher(request: Request) -> FieldCipher:
    cipher: FieldCipher = request.app.state.cipher
    return cipher


async def get_hub(request: Request) -> HubConfig:
    hub: HubConfig = request.app.state.hub
    return hub


CipherDep = Annotated[FieldCipher, Depends(get_cipher)]
HubDep = Annotated[HubConfig, Depends(get_hub)]
