"""Types shared by every app that deals with users."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Whoever makes a request: a signed-in user or an anonymous reader.
AnyUser = AbstractBaseUser | AnonymousUser
