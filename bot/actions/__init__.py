"""Custom actions for the Front Door assistant.

They run inside the API process (rasa_sdk's ActionExecutor behind POST /webhook),
never send user-facing words themselves, and answer with message keys that the
API renders in the survivor's language.
"""
