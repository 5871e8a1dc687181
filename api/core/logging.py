"""Logging that carries conversation ids, never what anyone wrote.

Code logs ids and outcomes only. As a second line of defence every record passes
through a filter that removes anything shaped like a phone number or email address, and
keeps only the type and the stack of an exception: an exception's message can quote its
input (a validation error quotes the value it refused), which may be someone's words.
"""

from __future__ import annotations

import logging
import traceback

from safety import redact


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, trace = record.exc_info
            frames = "".join(traceback.format_tb(trace))
            record.exc_text = f"Traceback (message withheld):\n{frames}{kind.__name__}"
            record.exc_info = None
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
