"""Rendered DPIA packs kept in memory, under everything they are rendered from (#26).

A PDF pack takes seconds to render (WeasyPrint); the DOCX less, but not nothing. What a pack says is
decided by its `DpiaPack`: the school, its effective set's decision (suppliers, options, register
version, and their fingerprint), the signed agreement, the contacts and the day it is built on.
The key is the SHA-256 of that whole value, so any change to any of it is a new key and a stale
pack is never served; the same decision asked again (the second download, another data lead of
the school, a viewer) is served at once. Templates and code change only with a deploy, which
starts new processes with empty caches. Each process keeps its own, bounded by bytes.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

from cachetools import LRUCache
from flask import current_app
from flask_babel import get_locale

from portal.dpia.content import DpiaPack
from portal.dpia.models import PackFormat

EXTENSION = "portal_dpia_cache"
# The formats worth keeping: the cheap record (CSV, JSON) is rendered every time.
KEPT = frozenset({PackFormat.PDF, PackFormat.DOCX})
# About 150 KB a pack: some 200 schools' PDF and DOCX.
MAX_BYTES = 64 * 1024 * 1024


class PackCache:
    """Rendered bytes by format and content key, least recently used first out."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._kept: LRUCache[str, bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()
        self.renders = 0

    def rendered(self, fmt: PackFormat, pack: DpiaPack, render: Callable[[DpiaPack], bytes]) -> bytes:
        """The pack in this format: from memory when this exact pack was rendered before."""
        if fmt not in KEPT:
            return render(pack)
        key = f"{fmt.value}:{content_key(pack)}"
        with self._lock:
            found = self._kept.get(key)
        if found is not None:
            return found
        body = render(pack)
        with self._lock:
            self.renders += 1
            if len(body) <= self._kept.maxsize:
                self._kept[key] = body
        return body


def content_key(pack: DpiaPack) -> str:
    """SHA-256 of everything the pack holds (a frozen dataclass of strings, dates, tuples and dicts), and of
    the language it is rendered in: a renderer's own labels are translated as it renders."""
    return hashlib.sha256(f"{get_locale()}:{pack!r}".encode()).hexdigest()


def pack_cache() -> PackCache:
    """This app's cache, made on first use."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions.setdefault(EXTENSION, PackCache())
    assert isinstance(found, PackCache)
    return found
