"""A small bounded cache, least recently used first out, safe to share between threads.

For what is derived purely from content (a submission file's parse, its assessment, a rendered
block of a page): callers key it by everything the value is computed from, never by a time or a
file's date, so a changed input is a new key and nothing stale can be served. ``size`` 0 keeps
nothing, which is how the tests compare a result with the cache and without it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Kept(Generic[Value]):
    """``get`` a value by its key (None when not kept), ``put`` one; the oldest go past ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Value | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                self.misses += 1
                return None
            self._kept.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Hashable, value: Value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._kept[key] = value
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
