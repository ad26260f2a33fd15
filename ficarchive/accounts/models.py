from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from ficarchive.accounts import skins
from ficarchive.texts.fields import SanitizedHTMLField
from ficarchive.texts.sanitize import sanitize_basic_html

# AO3 allows letters, digits and underscores in user names, and spaces too in pseuds.
username_validator = RegexValidator(
    r"^[A-Za-z0-9_]{3,40}$",
    "Use 3 to 40 letters, digits or underscores.",
)
pseud_validator = RegexValidator(
    r"^[\w .-]{1,40}$",
    "Use 1 to 40 letters, digits, spaces, dots, dashes or underscores.",
)


class User(AbstractUser):
    """An account. Its name is the login; works are credited to its pseuds."""

    username = models.CharField(
        "user name",
        max_length=40,
        unique=True,
        validators=[username_validator],
        error_messages={"unique": "That user name is taken."},
    )
    is_moderator = models.BooleanField(
        default=False, help_text="May use the admin to moderate works, chapters and accounts."
    )
    is_wrangler = models.BooleanField(
        default=False, help_text="May wrangle tags: make canonical, merge, set parents."
    )
    view_adult = models.BooleanField(
        "show adult content without asking",
        default=False,
        help_text="Skip the warning page before Mature, Explicit and Not Rated works.",
    )
    claimable = models.BooleanField(
        default=False, help_text="Created by an import; the writer may claim it later."
    )
    keep_history = models.BooleanField(
        "keep my history", default=True, help_text="Remember the works I read (History)."
    )
    update_emails = models.CharField(
        "email me subscription updates",
        max_length=10,
        choices=[("each", "As they happen"), ("daily", "Once a day (digest)"), ("off", "Never")],
        default="each",
    )
    # The site skin (`ficarchive.accounts.skins`); a logged-out reader's is in a cookie.
    skin = models.CharField("site skin", max_length=10, choices=skins.SKINS, default="default")
    color_scheme = models.CharField(
        "light or dark", max_length=10, choices=skins.SCHEMES, default="system"
    )
    text_size = models.CharField(max_length=3, choices=skins.TEXT_SIZES, default="100")
    line_width = models.CharField(max_length=10, choices=skins.LINE_WIDTHS, default="medium")

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("accounts:user", args=[self.username])

    @property
    def is_admin(self) -> bool:
        return self.is_superuser

    @property
    def can_moderate(self) -> bool:
        return self.is_active and (self.is_superuser or self.is_moderator)


class Pseud(models.Model):
    """A pen name. Every user has one default pseud named like the account, and may add more."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pseuds")
    name = models.CharField(max_length=40, validators=[pseud_validator])
    description = SanitizedHTMLField(
        blank=True, help_text="Sanitized HTML.", sanitizer=sanitize_basic_html
    )
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "user", name="pseud_name_per_user_ci_unique"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="one_default_pseud_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.byline

    def get_absolute_url(self) -> str:
        return reverse("accounts:pseud", args=[self.user.username, self.name])

    @property
    def byline(self) -> str:
        """AO3's credit: the pseud, with the account in brackets when the names differ."""
        username = self.user.username
        return self.name if self.name == username else f"{self.name} ({username})"


def new_invitation_code() -> str:
    return secrets.token_urlsafe(12)


class Invitation(models.Model):
    """An invitation code; sign-up needs one when REGISTRATION=invite."""

    code = models.CharField(max_length=32, unique=True, default=new_invitation_code)
    email = models.EmailField(blank=True, help_text="Who it was meant for (optional).")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_by = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code

    @property
    def is_used(self) -> bool:
        return self.used_by_id is not None or self.used_at is not None


class Throttle(models.Model):
    """The tries counted against one limit for one key (accounts.throttle): an account, an
    address, or both. `key` is a keyed hash (accounts.guests), never a raw address or name."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()
    # When the count starts again from nothing; rows past it are deleted.
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.count} tries, the last at {self.last_at:%Y-%m-%d %H:%M:%S}"


class Block(models.Model):
    """`blocker` blocks `blocked`: no comments or kudos from them on the blocker's works,
    and their comments on those works are hidden."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="no_self_block"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class UsernameChangeQuerySet(models.QuerySet["UsernameChange"]):
    def redirecting(self, now: datetime | None = None) -> UsernameChangeQuerySet:
        """The changes whose old name still redirects (`RENAME_REDIRECT_DAYS`)."""
        since = (now or timezone.now()) - timedelta(days=RENAME_REDIRECT_DAYS)
        return self.filter(changed_at__gt=since)

    def holding(self, name: str, now: datetime | None = None) -> UsernameChangeQuerySet:
        """The recent changes away from `name` (any case): nobody else may take it yet."""
        return self.redirecting(now).filter(old_username__iexact=name.strip())


# An old user name redirects to the new one, and no one else may take it, for this long after a
# change (`ficarchive.accounts.identity`); a user may change their name once per RENAME_INTERVAL.
RENAME_REDIRECT_DAYS = 90
RENAME_INTERVAL = timedelta(days=7)


class UsernameChange(models.Model):
    """A user name given up: `/users/{old_username}/…` redirects to the user's current name for
    RENAME_REDIRECT_DAYS, and the newest change dates the next one allowed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="username_changes")
    old_username = models.CharField(max_length=40)
    new_username = models.CharField(max_length=40)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = UsernameChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.old_username} → {self.new_username} ({self.changed_at:%Y-%m-%d})"


class AccessToken(models.Model):
    """A personal access token for the API (`ficarchive.api`): what a script or an app sends as
    `Authorization: Bearer …` to act as its user. Only the SHA-256 of the secret is kept
    (`accounts.tokens`); the secret is shown once, when the token is made."""

    class Scope(models.TextChoices):
        READ = "read", "Read: restricted works, your drafts, private bookmarks"
        WRITE = "write", "Write: also post, edit and delete works, kudos, comments, bookmarks"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    digest = models.CharField(max_length=64, unique=True)
    # The secret's first characters, shown in lists so its owner can tell tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.scope}) of user {self.user_id}"

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

    @property
    def state(self) -> str:
        """ "live", "revoked" or "expired", as the token lists say."""
        if self.revoked_at is not None:
            return "revoked"
        return "live" if self.is_live() else "expired"

    @property
    def writes(self) -> bool:
        return self.scope == self.Scope.WRITE
