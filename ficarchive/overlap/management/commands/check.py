"""`ficarchive check (FILE | --work ID)`: which passages resemble passages of other works."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ficarchive.accounts.models import Pseud
from ficarchive.overlap import services
from ficarchive.overlap.calibration import DEFAULT_THRESHOLD
from ficarchive.overlap.explain import Explained, explain_report, explained_json
from ficarchive.overlap.findings import Span, by_score
from ficarchive.overlap.services import Progress, Report
from ficarchive.progress import StageProgress
from ficarchive.texts.formats import parse_file
from ficarchive.texts.structure import ParseError
from ficarchive.works.models import Work
from ficarchive.works.queries import chapter_texts, notes_text, work_notes


class Command(BaseCommand):
    help = (
        "Check a story file (parsed, not stored) or a stored work for passages that resemble "
        "passages of the author's own works (drafts included) and of everyone's posted works: "
        "copied, edited, paraphrased or retold."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="a story file to check (not stored)")
        parser.add_argument("--work", type=int, help="check this stored work instead of a file")
        parser.add_argument(
            "--author",
            help="the writer checking (user name or pseud): whose works count as 'mine' and "
            "what they may read; for --work, its first creator by default",
        )
        parser.add_argument(
            "--scope",
            choices=services.SCOPES,
            default="all",
            help="mine: the author's works; archive: everyone's posted works; all (default)",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"lowest score reported, 0..1 (default {DEFAULT_THRESHOLD})",
        )
        parser.add_argument(
            "--with-notes",
            action="store_true",
            help="check the notes, summaries and end notes too (left out by default: "
            "disclaimers and thanks to betas are the same in every work)",
        )
        parser.add_argument(
            "--sort",
            choices=("position", "score"),
            default="position",
            help="position: in the draft's order (default); score: the strongest first",
        )
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["file"]) == bool(options["work"]):
            raise CommandError("Give either a FILE or --work ID.")
        author = _author(options["author"])
        # A check first indexes the works in scope that changed since their index was built:
        # after a large import that takes a while, so a terminal shows where it is.
        stages = StageProgress(sys.stderr, interactive=True)
        bar: Progress | None = None
        if sys.stderr.isatty():  # nothing in a pipe or a log, as `import` draws its bar
            bar = lambda percent, stage: stages(stage, percent, 100)  # noqa: E731
        if options["work"]:
            work = Work.objects.filter(pk=options["work"]).first()
            if work is None:
                raise CommandError(f"There is no work {options['work']}.")
            if author is None:
                creator = work.creatorships.select_related("pseud__user").order_by("position")
                first = creator.first()
                author = first.pseud.user if first else None
            user = author or AnonymousUser()
            draft: Work | None = work
            parts = [text for _, text in chapter_texts(work, drafts=True)]
            report = services.check_work(
                work,
                user,
                scope=options["scope"],
                threshold=options["threshold"],
                with_notes=options["with_notes"],
                progress=bar,
            )
        else:
            if author is None and options["scope"] == "mine":
                raise CommandError("--scope mine needs --author: whose works are 'mine'?")
            try:
                parsed = parse_file(options["file"])
            except ParseError as error:
                raise CommandError(str(error)) from None
            notes = work_notes(parsed) if options["with_notes"] else []
            draft = None
            parts = [chapter.text for chapter in parsed.chapters]
            report = services.check_texts(
                parts,
                author or AnonymousUser(),
                scope=options["scope"],
                threshold=options["threshold"],
                notes=notes_text(notes),
                progress=bar,
            )
        stages.finish()
        user = author or AnonymousUser()
        if report.notes is not None:
            parts.append(report.notes)
        if options["sort"] == "score":
            report.findings = by_score(report.findings)
        if options["json"]:
            found = explained_json(report.as_json(), user, parts, draft)
            self.stdout.write(json.dumps(found, ensure_ascii=False, indent=2))
        else:
            stored = [finding.as_json() for finding in report.findings]
            self.stdout.write(side_by_side(report, explain_report(stored, user, parts, draft)))
            self.stdout.write(report.freshness)


def _author(name: str | None) -> Any:
    if not name:
        return None
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username__iexact=name).first()
    if user is None:
        pseud = Pseud.objects.select_related("user").filter(name__iexact=name).first()
        user = pseud.user if pseud else None
    if user is None:
        raise CommandError(f"There is no user or pseud named {name!r}.")
    return user


def side_by_side(report: Report, explained: list[Explained]) -> str:
    """The findings as two columns, draft on the left and source on the right, each under a
    line that says what it means (`explain`)."""
    width = min(shutil.get_terminal_size((100, 24)).columns, 140)
    column = (width - 3) // 2
    lines = [
        f"Checked {report.checked_words} words against {report.sources_searched} works "
        f"(scope: {report.scope}); {len(report.findings)} findings with score ≥ "
        f"{report.threshold:.2f}.",
    ]
    for number, (finding, meaning) in enumerate(
        zip(report.findings, explained, strict=True), start=1
    ):
        source = finding.source
        lines += [
            "",
            "=" * width,
            f"{number}. {finding.kind}, score {finding.score:.2f}: {meaning.verdict} — "
            f"{meaning.whose(source.title)} (work {source.work_id}), chapter {source.chapter}",
            f"   Covers {meaning.coverage(finding.as_json())} of this text."
            + (f" {meaning.intended}" if meaning.intended else ""),
            f"{_heading('THIS TEXT', finding.draft):<{column}} | {_heading('SOURCE', source)}",
            "-" * width,
        ]
        left = textwrap.wrap(_short(finding.draft.text), column) or [""]
        right = textwrap.wrap(_short(source.text), column) or [""]
        for row in range(max(len(left), len(right))):
            a = left[row] if row < len(left) else ""
            b = right[row] if row < len(right) else ""
            lines.append(f"{a:<{column}} | {b}")
    return "\n".join(lines)


def _heading(side: str, span: Span) -> str:
    where = f"chapter {span.chapter}" if span.part == "text" else "notes"
    return f"{side}, {where}, characters {span.start}–{span.end}"


def _short(text: str, limit: int = 1200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
