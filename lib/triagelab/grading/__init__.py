"""Trainer side: scoring submissions against the answer key."""
