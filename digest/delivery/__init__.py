"""Posting digests: plan, take over, post what is missing, once."""
