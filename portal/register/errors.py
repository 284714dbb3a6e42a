"""The register's domain errors: views turn them into form errors or 4xx pages."""

from __future__ import annotations


class RegisterError(Exception):
    """Something the register refuses to do; the message is shown to the user as it stands."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DraftExists(RegisterError):
    """Only one draft may be edited at a time."""


class VersionImmutable(RegisterError):
    """A published version never changes."""


class EntryInvalid(RegisterError):
    """An entry or statement is incomplete or clashes with another."""


class PublishError(RegisterError):
    """The draft cannot be published as it stands."""


class OptionInvalid(RegisterError):
    """An option definition is incomplete or clashes with another."""


class OptionConflict(RegisterError):
    """Someone else changed the option since the form was shown: nothing was overwritten."""
