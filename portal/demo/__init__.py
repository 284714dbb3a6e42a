"""Demo data for `make run`: each capability adds its own part, idempotently, in order."""

from __future__ import annotations

from collections.abc import Iterator


def load() -> Iterator[str]:
    """Load every part of the demo in dependency order; yields lines to print."""
    from portal.demo import changes, documents, exits, gias, identity, incidents, register, trusthub

    yield from identity.load()
    yield from gias.load()
    yield from register.load()
    # Last: the demo agreement's annex is the effective set, so the register must be loaded first.
    yield from documents.load()
    # After the register: the demo change notice announces its planned entry.
    yield from changes.load()
    # After the agreements: an exit takes its deadlines from the signed text.
    yield from incidents.load()
    yield from exits.load()
    # After the register: the overview lists the certifications its current version names.
    yield from trusthub.load()
