"""Erasing conversations: one way, whatever ended them (service.py)."""
