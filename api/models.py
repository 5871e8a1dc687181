"""Every table, imported in one place so migrations and tests see the whole schema."""

from api.conversations.models import Conversation

__all__ = ["Conversation"]
