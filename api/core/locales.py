"""The language everything is first written in.

Every catalog, topic page, hub text and channel word exists in it, so it is what any other
language falls back to. It is not the language a conversation starts in: that is the
deployment's choice, `Settings.default_locale` (a service in Wales might start in Welsh).
"""

from __future__ import annotations

from typing import Final

SOURCE_LOCALE: Final = "en"
