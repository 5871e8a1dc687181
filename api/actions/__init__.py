"""Rasa's custom actions, served by the API.

They run inside the API process (rasa_sdk's ActionExecutor behind POST /webhook, see
views.py), never send user-facing words themselves, and answer with message keys that the
API renders in the survivor's language. They live under `api/` rather than beside the Rasa
project in `bot/` because they are part of the API: they run on its Python and use its
database, hub configuration and content. Each top-level folder then runs on one Python
version: `bot/` is the Rasa service (3.10), `api/` everything the API runs (3.11).
"""
