"""Turn message keys into words for a locale, shaped for a channel.

Web clients get text and buttons. Text-only channels (SMS, WhatsApp) get the
buttons as numbered lines, and the payloads are remembered so "2" can mean the
second option.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import i18n

from api.core.channels import TEXT_ONLY_CHANNELS
from api.core.locales import SOURCE_LOCALE
from api.languages.registry import Languages, get_languages
from api.render.bidi import isolate_left_to_right
from api.render.schemas import Button, ButtonKey, ItemKey, MessageKey, OutgoingMessage
from api.resources.store import Resource, ResourceStore

logger = logging.getLogger(__name__)

NAMESPACE = "chat"
BY_TEXT = "_by_text"  # the words a key has for SMS and WhatsApp, where they differ


class MissingMessageError(LookupError):
    """A key that no catalog, not even English, has."""


def configure_catalogs(locales_dir: Path) -> list[str]:
    """Load every catalog once; return the locales found."""
    i18n.set("file_format", "yml")
    i18n.set("use_locale_dirs", True)
    i18n.set("filename_format", "{namespace}.{format}")
    i18n.set("skip_locale_root_data", True)
    # i18n's own fallback switches itself off when it equals the default locale,
    # so Renderer.text falls back to English explicitly.
    i18n.set("enable_memoization", True)
    i18n.set("on_missing_translation", "error")
    i18n.set("on_missing_placeholder", "error")
    locales = sorted(p.name for p in locales_dir.iterdir() if p.is_dir())
    i18n.set("available_locales", locales)
    if str(locales_dir) not in i18n.load_path:
        i18n.load_path.append(str(locales_dir))
    i18n.load_everything()
    return locales


class Renderer:
    def __init__(
        self,
        locales_dir: Path,
        shared_params: dict[str, str] | Callable[[str], dict[str, str]],
        resources: ResourceStore | None = None,
        public_base_url: str = "",
        languages: Languages | None = None,
    ) -> None:
        self.locales = configure_catalogs(locales_dir)
        self.languages = languages or get_languages()
        self._shared_params = shared_params
        self.resources = resources
        self.public_base_url = public_base_url.rstrip("/")

    def _shared(self, locale: str) -> dict[str, str]:
        """What every message may mention (the hub's name, phone, hours) in this language."""
        if callable(self._shared_params):
            return self._shared_params(locale)
        return self._shared_params

    def supports(self, locale: str) -> bool:
        return locale in self.locales

    def text(self, key: str, locale: str, namespace: str = NAMESPACE, **params: Any) -> str:
        full_key = f"{namespace}.{key}"
        for candidate in dict.fromkeys((locale, SOURCE_LOCALE)):
            merged = {**self._shared(candidate), **params}
            try:
                return str(i18n.t(full_key, locale=candidate, **merged))
            except KeyError:
                continue
        raise MissingMessageError(full_key)

    def for_channel_text(self, key: str, locale: str, channel: str, **params: Any) -> str:
        """A message's words for its channel. By SMS and WhatsApp a key may have its own
        words (`<key>_by_text`): there is no red Exit button there, and STOP, CANCEL, END
        and QUIT opt the number out, so no text message ever tells anyone to type them."""
        if channel in TEXT_ONLY_CHANNELS:
            try:
                return self.text(f"{key}{BY_TEXT}", locale, **params)
            except MissingMessageError:
                pass
        return self.text(key, locale, **params)

    def message(self, message: MessageKey, locale: str, channel: str = "web") -> OutgoingMessage:
        if message.locale and self.supports(message.locale):
            locale = message.locale
        parts = (
            [self.for_channel_text(message.key, locale, channel, **message.params)]
            if message.key
            else []
        )
        parts += [f"• {self._item(item, locale)}" for item in message.items]
        if message.resource:
            resource = self._resource(message.resource, locale)
            parts += [resource.title, resource.summary]
            url = self.resource_url(resource.slug, locale)
            parts.append(self.text("resources.read_more", locale, url=url))
        text = "\n".join(parts)
        if self.languages.direction(locale) == "rtl":
            text = isolate_left_to_right(text)
        return OutgoingMessage(
            text=text,
            buttons=[
                Button(title=self._title(b, locale, channel), payload=b.payload)
                for b in message.buttons
            ],
        )

    def resource_url(self, slug: str, locale: str) -> str:
        """A topic page's address, in the conversation's language."""
        return f"{self.public_base_url}/resources/{slug}?lang={locale}"

    def _item(self, item: str | ItemKey, locale: str) -> str:
        if isinstance(item, str):
            return self.text(item, locale)
        params = dict(item.params)
        if item.value_key:
            params["value"] = self.text(item.value_key, locale)
        elif item.value_keys:
            # Catalog words, then anything in the person's own words ("params.value").
            own = [str(params["value"])] if params.get("value") else []
            params["value"] = ", ".join([*(self.text(k, locale) for k in item.value_keys), *own])
        return self.text(item.key, locale, **params)

    def _title(self, button: ButtonKey, locale: str, channel: str = "web") -> str:
        if button.resource:
            return self._resource(button.resource, locale).title
        return self.for_channel_text(button.key or "", locale, channel)

    def _resource(self, slug: str, locale: str) -> Resource:
        resource = self.resources.get(slug, locale) if self.resources else None
        if resource is None:
            raise MissingMessageError(f"resource {slug}")
        return resource

    def for_channel(
        self, messages: Iterable[MessageKey], locale: str, channel: str
    ) -> tuple[list[OutgoingMessage], list[str]]:
        """Render a reply; also return the payloads offered, in order, for numbered replies."""
        rendered = [self.message(m, locale, channel) for m in messages]
        options = [button.payload for m in rendered for button in m.buttons]
        if channel in TEXT_ONLY_CHANNELS:
            rendered = self._numbered(rendered, locale)
        return rendered, options

    def _numbered(self, messages: list[OutgoingMessage], locale: str) -> list[OutgoingMessage]:
        number = 0
        rtl = self.languages.direction(locale) == "rtl"
        result = []
        for message in messages:
            lines = [message.text]
            for button in message.buttons:
                number += 1
                line = self.text(
                    "option", locale, namespace="channel", number=number, title=button.title
                )
                lines.append(isolate_left_to_right(line) if rtl else line)
            result.append(OutgoingMessage(text="\n".join(lines)))
        return result


def payload_for_numbered_reply(text: str, options: list[str]) -> str | None:
    """'2' (or ' 2. ') picks the second option offered; anything else is not a choice."""
    choice = text.strip().rstrip(".)").strip()
    if choice.isdigit() and choice.isascii():
        index = int(choice) - 1
        if 0 <= index < len(options):
            return options[index]
    return None
