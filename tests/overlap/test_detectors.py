"""The registry of overlap detectors: the built-in two, and a new one added the same way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ficarchive.overlap import detectors
from ficarchive.overlap.detectors import Candidate, DraftPassage
from ficarchive.overlap.lexical import LexicalDetector
from ficarchive.overlap.models import Passage
from ficarchive.overlap.semantic import SemanticDetector


class _Quiet:
    name = "quiet"

    def index(self, passages: list[tuple[Passage, str]]) -> None:
        pass

    def candidates(
        self, draft: list[DraftPassage], allowed_works: set[int], visible_works: set[int]
    ) -> list[Candidate]:
        return []


def test_the_app_registers_the_lexical_and_the_semantic_detector() -> None:
    assert isinstance(detectors.detector("lexical"), LexicalDetector)
    assert isinstance(detectors.detector("semantic"), SemanticDetector)
    assert [d.name for d in detectors.detectors()][:2] == ["lexical", "semantic"]


def test_a_new_detector_registers_beside_the_built_in_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(detectors, "_DETECTORS", dict(detectors._DETECTORS))
    quiet = detectors.register(_Quiet())
    assert detectors.detector("quiet") is quiet
    assert [d.name for d in detectors.detectors()] == ["lexical", "semantic", "quiet"]


def test_an_unknown_detector_is_none() -> None:
    assert detectors.detector("telepathic") is None


def test_the_registry_imports_no_detector() -> None:
    # Any detector may import the registry; the built-in ones come from `overlap.builtin`.
    tree = ast.parse(Path(detectors.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"ficarchive.overlap.lexical", "ficarchive.overlap.semantic"}
