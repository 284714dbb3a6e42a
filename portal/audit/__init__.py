"""Audit events: who did what, when, with what outcome; and the pages that show them."""
