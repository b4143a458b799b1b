"""Trainee surface: the triage widgets and the store that keeps every decision."""
