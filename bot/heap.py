"""Keeping Python's cyclic garbage collector off what a worker loaded at startup.

The analyzer, jieba's dictionary and the registry are some 400,000 long-lived objects; a full
collection walks them all and takes about a quarter of a second, and under load one comes every
few seconds, landing as a pause inside somebody's turn (it was most of the p99 of `bench/web.py`).
Frozen objects are never walked again. What they let go of later is still freed by reference
counting; only reference cycles among them would stay, so a worker settles its heap again,
collecting once, whenever it replaces what it froze (a new NLU model or registry).

At startup nothing is collected before freezing: loading leaves no cyclic garbage behind (none
among some 600,000 objects of `minsheng serve`), and walking them took 0.3 s of each start.
"""

import gc


def settle() -> None:
    """Collect everything once, then freeze what is left as permanent: call it when the loading is
    done (startup, a model swapped in), never on a hot path (the collection itself takes a pause)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def freeze_loaded() -> None:
    """At the end of startup, what was loaded leaves the collector's sight, without a collection."""
    gc.freeze()
