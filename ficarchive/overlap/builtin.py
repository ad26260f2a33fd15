"""The built-in overlap detectors: importing this module registers them.

The overlap app's `ready()` imports it; a script that checks overlap without `django.setup()`
imports it itself.
"""

from __future__ import annotations

from ficarchive.overlap.detectors import register
from ficarchive.overlap.lexical import LexicalDetector
from ficarchive.overlap.semantic import SemanticDetector

register(LexicalDetector())
register(SemanticDetector())
