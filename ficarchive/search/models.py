"""What a reader keeps of searching: named searches, and the tags and users they mute."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ficarchive.tags.models import Tag


class SavedSearch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=100)
    query = models.CharField(max_length=1000, blank=True)
    sort = models.CharField(max_length=20, default="best")
    include = models.JSONField(default=list, blank=True, help_text="Tag ids works must have.")
    exclude = models.JSONField(default=list, blank=True, help_text="Tag ids works must not have.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"


class MutedTag(models.Model):
    """A tag whose works this reader never wants listed (a synonym's or sub-tag's works too)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_tags"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="muted_tag_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes tag {self.tag_id}"


class MutedUser(models.Model):
    """A creator whose works this reader never wants listed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_users"
    )
    muted = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "muted"], name="muted_user_unique"),
            models.CheckConstraint(
                condition=~models.Q(user=models.F("muted")), name="no_self_mute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} mutes user {self.muted_id}"
