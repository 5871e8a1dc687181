"""Chat with a support worker now: the queue and the live chat (docs/live-chat.md)."""
