"""Ready a loaded process to serve: what it loaded at start-up is kept out of the collector's way.

Python's cyclic garbage collector walks every tracked object it holds now and then (a full
collection), and after `django.setup()` and the URL configuration that is some 80,000 objects
that live as long as the process. A search page allocates enough to set off a full collection
every few requests, and walking those objects made every fifth or so page 30–60 ms slower than
the rest (bench/search.py: the muted listing at p50 73 ms, p95 114 ms). `gc.freeze()` moves what
is alive into a generation the collector never walks, which is also what Python's documentation
advises before a server forks its workers (gunicorn's `preload_app`): their collections then do
not write to the pages they share with the parent. `ficarchive/wsgi.py` calls it once the app is
loaded, so every WSGI server gets it.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver


def settle() -> int:
    """Load the URL configuration (the views and what they import), collect what start-up left
    behind, and freeze what remains; returns the number of objects frozen."""
    get_resolver().url_patterns  # noqa: B018 - imports every app's views
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
