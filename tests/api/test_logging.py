"""What reaches the logs: ids and outcomes, never what someone wrote."""

from __future__ import annotations

import io
import logging

from api.core.logging import RedactingFilter


def logged(call: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        call(logger)  # type: ignore[operator]
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_numbers_and_emails_are_removed_from_messages() -> None:
    out = logged(lambda log: log.warning("contact %s or %s", "07700 900123", "jo@example.com"))
    assert "900123" not in out and "jo@example.com" not in out


def test_an_exception_keeps_its_type_and_stack_but_not_its_message() -> None:
    words = "my name is " + "Zephyrine" + " and he is outside"  # kept out of the source line

    def fail(log: logging.Logger) -> None:
        try:
            raise ValueError(words)
        except ValueError:
            log.exception("handling failed conversation=abc")

    out = logged(fail)
    assert "conversation=abc" in out and "ValueError" in out and "test_logging.py" in out
    assert "Zephyrine" not in out and "outside" not in out
