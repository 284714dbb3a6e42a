"""Domain errors of change notices and objections; views turn them into form errors or 4xx pages."""

from __future__ import annotations


class ChangeError(Exception):
    """A change or objection the portal refuses; the message is shown to the user as it is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NoticeInvalid(ChangeError):
    """A notice that cannot be announced (too short a notice, no matching register entry)."""


class WindowClosed(ChangeError):
    """An objection after the notice window closed."""


class AlreadyObjected(ChangeError):
    """A second objection by the same tenancy to the same change."""


class DecisionInvalid(ChangeError):
    """A decision without a reason, or a step the state machine does not allow."""
