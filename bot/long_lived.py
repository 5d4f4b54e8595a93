"""What a server made at start-up is kept out of the garbage collector's full passes.

Both servers hold about half a million objects from start-up (the model, Duckling, the language
detectors, the gazetteer, TensorFlow's modules), alive as long as the process. A full pass of
Python's cyclic garbage collector walks all of them: 200 ms measured in the Rasa server, during
which no message is answered, whenever enough new objects have built up under load (issue 16).
``gc.freeze()`` moves what exists now into a generation the collector no longer walks; what is
made afterwards is collected as before.
"""
from __future__ import annotations

import gc
import logging
import threading

logger = logging.getLogger(__name__)
_lock = threading.Lock()


def keep_start_up_objects() -> None:
    """Call once what start-up makes has been made (may be called again: each freezes what is new)."""
    with _lock:
        gc.collect()  # start-up's own garbage first, so that it is not kept for good
        gc.freeze()
        logger.info("%d start-up objects kept out of the garbage collector's full passes", gc.get_freeze_count())
