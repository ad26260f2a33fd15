"""Related works: a work that continues, retells, follows or was inspired by another (AO3's
"Inspired by" and "Works inspired by this one").

The rules, in one place for the web, the overlap report and the downloads:
- only a creator of the newer work (the child) may link it to another (the parent), and only
  to a work they may see;
- the child credits its parent at once; the parent lists the child only once one of the
  parent's creators approves (as on AO3); a writer linking two works of their own approves it
  in the same step;
- each side is shown only to readers who may see the work it names: a link never tells a
  reader that a draft or a restricted work exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects

from ficarchive.accounts.models import User
from ficarchive.accounts.types import AnyUser
from ficarchive.plain_sql import one, table
from ficarchive.works.models import Creatorship, RelatedWork, Work
from ficarchive.works.queries import can_view, is_creator
from ficarchive.works.services import WorkError

KINDS = [str(kind) for kind in RelatedWork.Kind]


def _with_creators(works: QuerySet[Work]) -> QuerySet[Work]:
    return works.prefetch_related(
        Prefetch("creatorships", queryset=Creatorship.objects.select_related("pseud__user"))
    )


def _moved_on(*works: Work) -> None:
    """A link changes what both works' pages and files show: their cached copies move on."""
    Work.objects.filter(pk__in=[work.pk for work in works]).update(revision=F("revision") + 1)


@transaction.atomic
def link_works(user: User, child: Work, parent: Work, kind: str) -> RelatedWork:
    """Say that `child` (the user's work) `kind`s `parent`; returns the link.

    Linking the same pair again changes its kind and keeps its answer; a link to a work of the
    user's own is approved at once, one to anyone else's waits for its creators' answer."""
    if kind not in KINDS:
        raise WorkError(f"{kind!r} is not a kind of related work.", "kind")
    if not is_creator(user, child):
        raise WorkError("Only a creator of a work can say which works it is related to.", "child")
    if child.pk == parent.pk:
        raise WorkError("A work cannot be related to itself.", "parent")
    if not can_view(user, parent):
        raise WorkError("There is no such work.", "parent")
    own = is_creator(user, parent)
    link, created = RelatedWork.objects.select_for_update().get_or_create(
        parent=parent,
        child=child,
        defaults={
            "kind": kind,
            "linked_by": user,
            "state": RelatedWork.State.APPROVED if own else RelatedWork.State.PENDING,
        },
    )
    if not created:
        link.kind = kind
        if own:
            link.state = RelatedWork.State.APPROVED
        link.save(update_fields=["kind", "state"])
    _moved_on(child, parent)
    return link


@transaction.atomic
def answer_link(user: User, link_id: int, *, approve: bool) -> RelatedWork:
    """A creator of the parent approves (list the child on the parent's page) or declines a
    link. A link the user may not answer, or whose child they may not see, is "not found"."""
    link = (
        RelatedWork.objects.select_for_update()
        .filter(pk=link_id, parent__creatorships__pseud__user=user)
        .first()
    )
    if link is None:
        raise WorkError("There is no such related work for you to answer.")
    child = _with_creators(Work.objects.filter(pk=link.child_id)).get()
    if not can_view(user, child):
        raise WorkError("There is no such related work for you to answer.")
    link.state = RelatedWork.State.APPROVED if approve else RelatedWork.State.DECLINED
    link.save(update_fields=["state"])
    _moved_on(child, Work(pk=link.parent_id))
    return link


@transaction.atomic
def unlink(user: User, link_id: int) -> None:
    """A creator of the child takes its link back."""
    link = RelatedWork.objects.filter(pk=link_id, child__creatorships__pseud__user=user).first()
    if link is None:
        raise WorkError("There is no such related work of yours.")
    link.delete()
    _moved_on(Work(pk=link.child_id), Work(pk=link.parent_id))


def _answerable(user: User) -> QuerySet[RelatedWork]:
    return RelatedWork.objects.filter(
        state=RelatedWork.State.PENDING, parent__creatorships__pseud__user=user
    ).exclude(child__creatorships__pseud__user=user)


def pending_for(user: User) -> list[RelatedWork]:
    """Links to the user's works waiting for their answer, oldest first: only those whose child
    they may see (a link from a draft waits, unseen, until the draft is posted)."""
    links = (
        _answerable(user)
        .select_related("parent")
        .prefetch_related(Prefetch("child", queryset=_with_creators(Work.objects.all())))
    )
    return [link for link in links.distinct() if can_view(user, link.child)]


def pending_count(user: User) -> int:
    visible = Q(child__posted=True) if user.is_authenticated else Q(pk__in=[])
    return _answerable(user).filter(visible).distinct().count()


@dataclass(frozen=True)
class Related:
    """One related work as a reader sees it: the link, and the work on its other side."""

    link: RelatedWork
    work: Work

    @property
    def credit(self) -> str:
        return self.link.credit


Shown = Callable[[Work], bool]


def reader(user: AnyUser) -> Shown:
    """What one reader may see: their own works, drafts included, and the posted works."""
    return lambda work: can_view(user, work)


def audience(*, signed_in: bool) -> Shown:
    """What everyone logged in (or out) may see: for a download, which one file serves."""
    return lambda work: work.posted and (signed_in or not work.restricted)


@dataclass(frozen=True)
class Relations:
    """A work's related works as one reader or audience sees them."""

    parents: list[Related]  # the works it credits: "Inspired by …"
    children: list[Related]  # the approved works that credit it: "Works inspired by this one"


def related_of(work: Work, shown: Shown) -> Relations:
    """Both directions, in one query for the links and one for the other works' creators (none
    when the work has no links): the work page reads it for every reader, so whether there are
    any is asked first in plain SQL, which most works answer with no."""
    statement = (
        f"SELECT 1 FROM {table(RelatedWork)} WHERE child_id = %s OR (parent_id = %s AND state = %s)"
    )
    if one(statement, [work.pk, work.pk, RelatedWork.State.APPROVED.value]) is None:
        return Relations([], [])
    links = list(
        RelatedWork.objects.filter(
            Q(child=work) | Q(parent=work, state=RelatedWork.State.APPROVED)
        ).select_related("parent", "child")
    )
    others = [link.parent if link.child_id == work.pk else link.child for link in links]
    prefetch_related_objects(
        others, Prefetch("creatorships", queryset=Creatorship.objects.select_related("pseud__user"))
    )
    parents: list[Related] = []
    children: list[Related] = []
    for link, other in zip(links, others, strict=True):
        if shown(other):
            (parents if link.child_id == work.pk else children).append(Related(link, other))
    return Relations(parents, children)


def linked_pairs(work: Work, others: set[int]) -> dict[int, RelatedWork]:
    """The links between `work` and each of `others`, either way, by the other work's id."""
    links = RelatedWork.objects.filter(
        Q(child=work, parent__in=others) | Q(parent=work, child__in=others)
    )
    return {(link.parent_id if link.child_id == work.pk else link.child_id): link for link in links}
