"""The languages the assistant speaks: which are offered, how each is chosen, its direction."""
