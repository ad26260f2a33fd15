"""What a book's own pages say about the work, beside its package's metadata."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Meta:
    """What the book's own pages say about the work, beside the package's metadata."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)
    complete: bool | None = None
    text_complete: bool | None = None  # from `The End` / `To be continued` in the text

    def add_tags(self, tag_type: str, names: list[str]) -> None:
        names = [" ".join(name.split()) for name in names if name.strip()]
        if names:
            existing = self.tags.setdefault(tag_type, [])
            for name in names:
                if name.lower() not in {known.lower() for known in existing}:
                    existing.append(name)
