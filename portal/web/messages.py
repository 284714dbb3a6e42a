"""Messages after an action: a success says what changed, in the green banner that takes focus (#25)."""

from __future__ import annotations

from flask import flash


def success(message: str) -> None:
    """Say what changed ("X no longer processes Y's data from today"); base.html shows it in green."""
    flash(message, "success")
