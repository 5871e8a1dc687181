"""Logging that carries conversation ids, never what anyone wrote.

Code logs ids and outcomes only. As a second line of defence every record passes
through a filter that removes anything shaped like a phone number or email address.
"""

from __future__ import annotations

import logging

from safety import redact


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The access log prints query strings (the action token travels in one); we log
    # requests ourselves, path only.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("httpx", "httpx2", "alembic.runtime.migration", "rasa_sdk.executor"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
