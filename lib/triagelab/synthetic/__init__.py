"""Synthetic customer behaviour: countries, people, activity and chain data."""
