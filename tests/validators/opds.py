"""The OPDS validators: jing with the OPDS 1.2 RELAX NG schema, jsonschema with OPDS 2.0's."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from tests.validators import require_tool

HERE = Path(__file__).parent
OPDS1 = HERE / "opds1"
OPDS2 = HERE / "opds2"
# Where the schemas say they live, and where our copies are.
OPDS2_PLACES = {
    "https://specs.opds.io/schema/": OPDS2 / "opds",
    "https://readium.org/webpub-manifest/schema/": OPDS2 / "readium",
}
# ECMAScript's named groups, `(?<name>`, are Python's `(?P<name>`.
_ECMA_GROUP = re.compile(r"\(\?<(?=[A-Za-z])")


def jing(schema: str, documents: dict[str, bytes], folder: Path) -> str:
    """jing's report on the XML documents (by file name) against `opds1/{schema}`: empty when
    every one is valid. One run for them all, as Java is slow to start."""
    found = shutil.which("jing")
    require_tool(found, "jing is not installed, so OPDS 1.2 feeds cannot be validated (jing)")
    assert found is not None
    paths = []
    for name, document in documents.items():
        paths.append(folder / name)
        paths[-1].write_bytes(document)
    result = subprocess.run(
        [found, "-c", str(OPDS1 / schema), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Debian's launcher warns on stderr about optional jars it cannot find; those are no finding.
    noise = [line for line in result.stderr.splitlines() if not line.startswith("[warning]")]
    report = "\n".join([result.stdout.strip(), *noise]).strip()
    if result.returncode != 0 and not report:
        report = f"jing exited with status {result.returncode}"
    return report


def _load(path: Path) -> Resource[Any]:
    text = _ECMA_GROUP.sub("(?P<", path.read_text(encoding="utf-8"))
    return Resource.from_contents(json.loads(text))


def _retrieve(uri: str) -> Resource[Any]:
    for prefix, folder in OPDS2_PLACES.items():
        if uri.startswith(prefix):
            path = folder / uri.removeprefix(prefix)
            if path.is_file():
                return _load(path)
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@cache
def opds2_validator() -> Draft7Validator:
    registry: Registry[Any] = Registry(retrieve=_retrieve)  # type: ignore[call-arg]
    schema = _load(OPDS2 / "opds" / "feed.schema.json").contents
    return Draft7Validator(schema, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def opds2_errors(document: Any) -> list[str]:
    """Every way the document breaks the OPDS 2.0 feed schema, one line each."""
    errors = sorted(opds2_validator().iter_errors(document), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, error.path)) or '(root)'}: {error.message}" for error in errors]
