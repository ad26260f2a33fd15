"""Deleting one's account on the web: a page that says what goes and what stays, asks whether
to orphan or delete the works, and takes the password to confirm (`community.leaving`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ficarchive.accounts.identity import check_password
from ficarchive.accounts.models import User
from ficarchive.accounts.services import ORPHAN_ACCOUNT, AccountError
from ficarchive.accounts.web import signed_in
from ficarchive.community.leaving import LeavingError, delete_account
from ficarchive.works.models import Work

ORPHAN, DELETE = "orphan", "delete"


class DeleteAccountForm(forms.Form):
    works = forms.ChoiceField(
        label="Your works",
        choices=[
            (ORPHAN, f"Orphan them: keep them on the archive, credited to {ORPHAN_ACCOUNT}"),
            (DELETE, "Delete them"),
        ],
        widget=forms.RadioSelect,
        help_text="Works you created with other users stay with them either way.",
    )
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password, to confirm that you want to delete your account.",
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        try:
            check_password(self.user, password)  # wrong ones counted, as for email changes
        except AccountError as error:
            raise forms.ValidationError(error.message) from None
        return password


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = DeleteAccountForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            delete_account(user, orphan=form.cleaned_data["works"] == ORPHAN)
        except LeavingError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(request, "Your account has been deleted.")
            return redirect("home")
    works = Work.objects.filter(creatorships__pseud__user=user).distinct()
    context = {
        "form": form,
        "posted": works.filter(posted=True).count(),
        "drafts": works.filter(posted=False).count(),
        "orphan_account": ORPHAN_ACCOUNT,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "community/account_delete.html", context, status=status)
