"""Helpers the analyst report notebooks call, and the runner that renders them."""
