"""Accounts: sign-up and log-in with their limits (accounts.throttle), pseuds, invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ficarchive.accounts import throttle
from ficarchive.accounts.guests import address_block, client_address
from ficarchive.accounts.models import RENAME_REDIRECT_DAYS, Invitation, Pseud, User, UsernameChange
from ficarchive.texts.sanitize import sanitize_basic_html


class AccountError(Exception):
    """A sign-up, log-in or pseud change that cannot be done, with a message for the user;
    `retry_after`: the seconds to wait when a limit refused it."""

    def __init__(
        self, message: str, field: str | None = None, *, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_after = retry_after


# A name its owner changed away from redirects to them for a while: nobody else may take it.
NAME_HELD = (
    "That user name is taken: it belonged to an account until recently, and an old name "
    f"stays reserved for {RENAME_REDIRECT_DAYS} days after its owner changes it."
)


@dataclass(frozen=True)
class SignUp:
    username: str
    email: str
    password: str
    invitation_code: str = ""


@transaction.atomic
def create_user(
    username: str,
    password: str | None,
    email: str = "",
    *,
    claimable: bool = False,
) -> User:
    """A new account with its default pseud named like it."""
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError("That user name is taken.", field="username")
    user = User(username=username, email=email, claimable=claimable)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise AccountError(" ".join(messages), field=field) from None
    user.save()
    Pseud.objects.create(user=user, name=username, is_default=True)
    return user


def signups(address: str) -> throttle.Counter:
    """The accounts made from `address` today (SIGNUPS_PER_DAY), as AO3 limits account creation."""
    allowed = settings.SIGNUPS_PER_DAY
    limit = throttle.Limit(
        "signup",
        allowed,
        window=timedelta(days=1),
        message=(
            f"This address has made {allowed} account{'s' if allowed != 1 else ''} today, as "
            "many as this archive allows in a day. Please wait {wait} and try again."
        ),
    )
    return limit.on(address_block(address))


# Orphaned works are credited to this account's pseud (`works.leaving`): nobody signs up as it.
ORPHAN_ACCOUNT = "orphan_account"
# Names nobody may take: the orphans' account, and pages of the archive's own under /users/.
RESERVED_USERNAMES = frozenset({ORPHAN_ACCOUNT, "login", "logout"})


@transaction.atomic
def sign_up(form: SignUp, address: str) -> User:
    """Create an account as the REGISTRATION setting allows, from `address` (the client's)."""
    mode = settings.REGISTRATION
    if mode == "closed":
        raise AccountError("Sign-up is closed on this archive.")
    # Counted in this transaction: a sign-up refused below (a taken name, a bad code) rolls its
    # count back, and one address signing up many times at once waits on the count's lock.
    try:
        throttle.check(signups(address))
    except throttle.Throttled as refused:
        raise AccountError(refused.message, retry_after=refused.seconds) from None
    invitation: Invitation | None = None
    if mode == "invite":
        invitation = (
            Invitation.objects.select_for_update()
            .filter(code=form.invitation_code.strip(), used_by__isnull=True, used_at__isnull=True)
            .first()
        )
        if invitation is None:
            raise AccountError(
                "That invitation code is not valid or was already used.", field="invitation_code"
            )
    if UsernameChange.objects.holding(form.username).exists():
        raise AccountError(NAME_HELD, field="username")
    if form.username.lower() in RESERVED_USERNAMES:
        raise AccountError("That user name is taken.", field="username")
    user = create_user(form.username, form.password, form.email)
    if invitation is not None:
        invitation.used_by = user
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_by", "used_at"])
    return user


# A try for one account from many addresses waits at most this long: a distributed guesser
# slows everyone's log-ins to that account a little, and never locks its owner out.
ACCOUNT_MAX_DELAY = timedelta(seconds=60)
TOO_MANY_HERE = "Too many failed log-in attempts. Please wait {wait} and try again."
TOO_MANY_FOR_ACCOUNT = (
    "Too many failed log-in attempts for this account from many places. "
    "Please wait {wait} and try again."
)


def login_counters(request: HttpRequest, username: str) -> list[throttle.Counter]:
    """The counts a log-in is checked against: the account from this address (LOGIN_ATTEMPTS),
    this address for any account, and the account from everywhere; forgotten a day after the
    last failure."""
    name = username.strip().lower()
    address = address_block(client_address(request))
    day = timedelta(days=1)
    longest = timedelta(seconds=settings.LOGIN_MAX_DELAY_SECONDS)
    here = throttle.Limit("login", settings.LOGIN_ATTEMPTS, day, longest, TOO_MANY_HERE)
    anyone = throttle.Limit(
        "login-address", settings.LOGIN_ADDRESS_ATTEMPTS, day, longest, TOO_MANY_HERE
    )
    account = throttle.Limit(
        "login-account",
        settings.LOGIN_ACCOUNT_ATTEMPTS,
        day,
        min(longest, ACCOUNT_MAX_DELAY),
        TOO_MANY_FOR_ACCOUNT,
    )
    return [here.on(name, address), anyone.on(address), account.on(name)]


def other_user(actor: User, username: str, verb: str) -> User:
    """The active user named `username` (any case) whom `actor` wants to `verb`: never
    themself. The message of the AccountError says what is wrong, with the name."""
    name = username.strip()
    if not name:
        raise AccountError(f"Enter the user name of the user to {verb}.")
    other = User.objects.filter(username__iexact=name, is_active=True).first()
    if other is None:
        raise AccountError(f"There is no user {name!r} to {verb}.")
    if other.pk == actor.pk:
        raise AccountError(f"{other.username!r} is your own account: you cannot {verb} yourself.")
    return other


def log_in(request: HttpRequest, username: str, password: str) -> User:
    """Check the credentials, unless too many recent tries failed (login_counters): then the
    AccountError says how many seconds to wait. The try is counted before the password is
    checked, so requests arriving together cannot check more than the limit allows."""
    counters = login_counters(request, username)
    try:
        throttle.check(*counters)
    except throttle.Throttled as refused:
        raise AccountError(refused.message, retry_after=refused.seconds) from None
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        raise AccountError("The user name or password is incorrect.")
    here, *elsewhere = counters
    throttle.forgive(here)
    for counter in elsewhere:
        throttle.give_back(counter)
    return user


@transaction.atomic
def add_pseud(user: User, name: str, description: str = "", *, make_default: bool = False) -> Pseud:
    name = name.strip()
    if user.pseuds.filter(name__iexact=name).exists():
        raise AccountError(f"You already have a pseud named {name!r}.", field="name")
    pseud = Pseud(user=user, name=name, description=sanitize_basic_html(description))
    try:
        pseud.full_clean(exclude=["user"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise AccountError(" ".join(messages), field=field) from None
    pseud.save()
    if make_default:
        set_default_pseud(pseud)
    return pseud


@transaction.atomic
def set_default_pseud(pseud: Pseud) -> None:
    Pseud.objects.filter(user_id=pseud.user_id, is_default=True).update(is_default=False)
    Pseud.objects.filter(pk=pseud.pk).update(is_default=True)
    pseud.is_default = True


def find_pseud(username: str, name: str) -> Pseud | None:
    """An active user's pseud by the names in its URL (`/users/{user}/pseuds/{pseud}`)."""
    return (
        Pseud.objects.select_related("user")
        .filter(user__username__iexact=username, user__is_active=True, name__iexact=name)
        .first()
    )


def default_pseud(user: User) -> Pseud:
    pseud = user.pseuds.filter(is_default=True).first() or user.pseuds.first()
    if pseud is None:
        pseud = Pseud.objects.create(user=user, name=user.username, is_default=True)
    return pseud


def find_or_create_author(name: str, pseud_name: str | None = None) -> Pseud:
    """The pseud an import credits: an existing account's, or a new claimable account's."""
    user = User.objects.filter(username__iexact=name).first()
    if user is None:
        user = create_user(name, None, claimable=True)
    if not pseud_name:
        return default_pseud(user)
    pseud = user.pseuds.filter(name__iexact=pseud_name).first()
    return pseud or add_pseud(user, pseud_name)
