"""Published register versions kept in memory, and the pages and JSON rendered from them.

A published version never changes: database triggers refuse any update to it, its entries and
its statements (migration 0003). So a version's content, and the HTML and JSON made from it on
a given UK date, can be kept under the version's id for as long as the process lives. Every
request still asks the database which version is current (one indexed query), so a version
published by any process is served at once by every worker: there is nothing to invalidate and
nothing to coordinate between app servers.

The register is what thousands of data leads open on the day a change notice goes out; without
this each of them paid for loading and rendering forty entries (see bench/results/).

Cached versions are detached ORM objects, loaded in a session of their own so the request's
session never holds them: read their columns, entries and statements, never change them or
attach them to a session. Each app has its own cache (tests clear it between tests, because a
rolled-back test can leave an id that a later test reuses for different content).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app, request, session
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from portal.extensions import db
from portal.register.models import RegisterVersion, VersionStatus
from portal.web import language

T = TypeVar("T")

# Versions: the current one and a few recent ones that people compare. Renderings: one key per
# version, UK date and view, so a day's worth of pages for every recent version fits.
VERSIONS_KEPT = 16
RENDERINGS_KEPT = 128
# Small pieces of pages: the lines of an effective set and its tables' rows, kept under everything
# that decided them (register/effective.py, register/tenancy_views.py). Most schools share them.
FRAGMENTS_KEPT = 4096


class RegisterCache:
    """Detached published versions by id, and anything rendered from them by a caller's key."""

    def __init__(self) -> None:
        self._versions: LRUCache[int, RegisterVersion] = LRUCache(maxsize=VERSIONS_KEPT)
        self._renderings: LRUCache[Hashable, object] = LRUCache(maxsize=RENDERINGS_KEPT)
        self._fragments: LRUCache[Hashable, object] = LRUCache(maxsize=FRAGMENTS_KEPT)
        self._lock = threading.Lock()

    def version(self, version_id: int) -> RegisterVersion | None:
        """The published version with this id, with its entries and statements (two queries on a miss)."""
        with self._lock:
            found = self._versions.get(version_id)
        if found is None:
            found = _load_detached(version_id)
            if found is not None:
                with self._lock:
                    self._versions[version_id] = found
        return found

    def page(self, make: Callable[[], T], **declared: Hashable) -> T:
        """What `make` renders for this request, kept under `page_key`: the endpoint, its view
        arguments and whether the visitor is signed in are always in the key, so a view need only
        declare the rest of what the rendering reads (a version id, the UK date, notice ids...)."""
        return self._kept(self._renderings, page_key(**declared), make)

    def rendered(self, key: Hashable, make: Callable[[], T]) -> T:
        """What `make` returns for this key; it is called only when the key is not kept yet.

        The key must name everything the result depends on (a version id, the UK date, ...).
        """
        return self._kept(self._renderings, key, make)

    def fragment(self, key: Hashable, make: Callable[[], T]) -> T:
        """Like `rendered`, for many small pieces kept apart, so they never push out whole pages."""
        return self._kept(self._fragments, key, make)

    def _kept(self, store: LRUCache[Hashable, object], key: Hashable, make: Callable[[], T]) -> T:
        # Everything kept is written in the language of the request that made it, the vendor's
        # text included (#29): kept per language.
        key = (key, language.current())
        with self._lock:
            if key in store:
                return store[key]  # type: ignore[return-value]
        value = make()
        with self._lock:
            store[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            self._versions.clear()
            self._renderings.clear()
            self._fragments.clear()


def page_key(**declared: Hashable) -> tuple[Hashable, ...]:
    """The key of something rendered for the current request, from every input it depends on but
    the language, which the cache adds to every key itself (the vendor's text may be Welsh, #29)."""
    view_args = tuple(sorted((request.view_args or {}).items()))
    return (request.endpoint, view_args, "_user_id" in session, tuple(sorted(declared.items())))


def register_cache() -> RegisterCache:
    """This app's cache (made on first use; a page asks several times, so not made again each time)."""
    found = current_app.extensions.get("portal_register_cache")
    if found is None:
        found = current_app.extensions.setdefault("portal_register_cache", RegisterCache())
    return found  # type: ignore[no-any-return]


def load_detached(query: Select[tuple[T]]) -> list[T]:
    """Run a query in a session of its own, on the request's connection, and detach what it loads.

    Sharing the connection means it reads what the request's transaction sees; a separate
    session means the request's identity map keeps its own, attached, copy of the same rows.
    """
    with Session(bind=db.session.connection(), expire_on_commit=False) as session:
        found: list[T] = list(session.scalars(query))
        session.expunge_all()
    return found


def _load_detached(version_id: int) -> RegisterVersion | None:
    query = (
        select(RegisterVersion)
        .where(RegisterVersion.id == version_id, RegisterVersion.status == VersionStatus.PUBLISHED)
        .options(selectinload(RegisterVersion.entries), selectinload(RegisterVersion.statements))
    )
    found: list[RegisterVersion] = load_detached(query)
    return found[0] if found else None
