"""Rasa pipeline components of our own (see docs/nlu.md)."""
