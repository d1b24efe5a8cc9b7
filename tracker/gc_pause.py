"""Pausing Python's cycle collector around bulk reads of documents."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading a document makes millions of small objects
    (rows, views, structs) and no cycles, and each full collection would walk all of them
    again. The previous state is restored, so nesting is harmless."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
