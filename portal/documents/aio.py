"""Run pyHanko's coroutines from synchronous code, whether or not this thread already runs an event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run the coroutine; in a thread with a running loop (an async server, Playwright's sync
    API in tests) asyncio.run is refused, so run it on a short-lived worker thread instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()
