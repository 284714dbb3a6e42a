"""Signing in (Microsoft, Google, invitations), sessions, people and vendor staff."""
