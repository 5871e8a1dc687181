"""Turn message keys into words for a locale, shaped for a channel.

Web clients get text and buttons. Text-only channels (SMS, WhatsApp) get the
buttons as numbered lines, and the payloads are remembered so "2" can mean the
second option.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import i18n

from api.render.schemas import Button, MessageKey, OutgoingMessage

logger = logging.getLogger(__name__)

NAMESPACE = "chat"
FALLBACK_LOCALE = "en"
TEXT_ONLY_CHANNELS = frozenset({"sms", "whatsapp"})


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
    def __init__(self, locales_dir: Path, shared_params: dict[str, str]) -> None:
        self.locales = configure_catalogs(locales_dir)
        self._shared_params = shared_params

    def supports(self, locale: str) -> bool:
        return locale in self.locales

    def text(self, key: str, locale: str, namespace: str = NAMESPACE, **params: Any) -> str:
        full_key = f"{namespace}.{key}"
        merged = {**self._shared_params, **params}
        for candidate in dict.fromkeys((locale, FALLBACK_LOCALE)):
            try:
                return str(i18n.t(full_key, locale=candidate, **merged))
            except KeyError:
                continue
        raise MissingMessageError(full_key)

    def message(self, message: MessageKey, locale: str) -> OutgoingMessage:
        return OutgoingMessage(
            text=self.text(message.key, locale, **message.params),
            buttons=[
                Button(title=self.text(b.key, locale), payload=b.payload) for b in message.buttons
            ],
        )

    def for_channel(
        self, messages: Iterable[MessageKey], locale: str, channel: str
    ) -> tuple[list[OutgoingMessage], list[str]]:
        """Render a reply; also return the payloads offered, in order, for numbered replies."""
        rendered = [self.message(m, locale) for m in messages]
        options = [button.payload for m in rendered for button in m.buttons]
        if channel in TEXT_ONLY_CHANNELS:
            rendered = self._numbered(rendered, locale)
        return rendered, options

    def _numbered(self, messages: list[OutgoingMessage], locale: str) -> list[OutgoingMessage]:
        number = 0
        result = []
        for message in messages:
            lines = [message.text]
            for button in message.buttons:
                number += 1
                lines.append(
                    self.text(
                        "option", locale, namespace="channel", number=number, title=button.title
                    )
                )
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
