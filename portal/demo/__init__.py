"""Demo data for `make run`: each capability adds its own part, idempotently, in order."""

from __future__ import annotations

from collections.abc import Iterator


def load() -> Iterator[str]:
    """Load every part of the demo in dependency order; yields lines to print."""
    from portal.demo import identity

    yield from identity.load()
