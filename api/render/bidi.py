"""Keep numbers, addresses and links readable inside right-to-left text.

In Arabic or Urdu text a phone number like "0808 2000 247" can be reordered by the
reader's screen into "247 2000 0808". Wrapping each such run in a left-to-right isolate
(U+2066 ... U+2069) fixes its order on phones, in browsers and in SMS apps alike.
"""

from __future__ import annotations

import re

LEFT_TO_RIGHT_ISOLATE = "\u2066"
POP_DIRECTIONAL_ISOLATE = "\u2069"

_LEFT_TO_RIGHT_RUNS = re.compile(
    r"https?://[^\s\u2066\u2069]+"  # links
    r"|/resources/[^\s\u2066\u2069]+"  # this site's topic pages
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email addresses
    r"|\+?[0-9](?:[0-9 ]*[0-9])?"  # phone numbers, 999, option numbers
    r"|[A-Z]{2,}-[A-Z0-9-]+",  # referral references like FD-7KQ2-9XM
)


NO_BREAK_SPACE = "\u00a0"


def _isolated(match: re.Match[str]) -> str:
    # A number's spaces become no-break spaces: "0808 2000 247" split over two lines of
    # right-to-left text is hard to read, even in the right order.
    run = match.group(0).replace(" ", NO_BREAK_SPACE)
    return f"{LEFT_TO_RIGHT_ISOLATE}{run}{POP_DIRECTIONAL_ISOLATE}"


def isolate_left_to_right(text: str) -> str:
    """The text with every number, link and address isolated as left-to-right."""
    return _LEFT_TO_RIGHT_RUNS.sub(_isolated, text)
