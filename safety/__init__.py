"""Safety screening for Front Door: a plain library with no web or framework imports."""

from safety.redact import redact
from safety.risk import Flag, Triage, triage
from safety.screen import ScreenResult, Signal, available_locales, screen, scripts_of

__all__ = [
    "Flag",
    "ScreenResult",
    "Signal",
    "Triage",
    "available_locales",
    "redact",
    "screen",
    "scripts_of",
    "triage",
]
