"""Checks: pure functions from sources to diagnostics. They never write."""
