from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import password_validation

from ficarchive.accounts import skins
from ficarchive.accounts.models import User, pseud_validator, username_validator


class SignUpForm(forms.Form):
    username = forms.CharField(
        label="User name",
        max_length=40,
        validators=[username_validator],
        help_text="3 to 40 letters, digits or underscores. Your default pseud gets this name.",
    )
    email = forms.EmailField(label="Email", required=False)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, min_length=8)
    password_again = forms.CharField(label="Confirm password", widget=forms.PasswordInput)
    invitation_code = forms.CharField(label="Invitation code", required=False, max_length=32)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        password = data.get("password")
        if password and password != data.get("password_again"):
            self.add_error("password_again", "The two passwords do not match.")
        elif isinstance(password, str):
            try:
                password_validation.validate_password(password)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class LogInForm(forms.Form):
    username = forms.CharField(label="User name", max_length=40)
    password = forms.CharField(label="Password", widget=forms.PasswordInput)
    remember = forms.BooleanField(
        label="Remember me",
        required=False,
        help_text="Stay logged in on this browser for two weeks. Unticked, closing the browser "
        "logs you out.",
    )


class PasswordResetForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="The email address of your account. An account without one cannot reset its "
        "password this way.",
    )


class PseudForm(forms.Form):
    name = forms.CharField(label="Name", max_length=40, validators=[pseud_validator])
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)
    make_default = forms.BooleanField(label="Make this my default pseud", required=False)


class PreferencesForm(forms.Form):
    view_adult = forms.BooleanField(
        label="Show me adult content without checking",
        required=False,
        help_text="Skip the warning before Mature, Explicit and Not Rated works.",
    )
    keep_history = forms.BooleanField(
        label="Keep my history",
        required=False,
        help_text="Remember the works I read, on my History page.",
    )
    update_emails = forms.ChoiceField(
        label="Email me subscription updates",
        choices=cast("list[tuple[str, str]]", User._meta.get_field("update_emails").choices),
        widget=forms.RadioSelect,
        # A form without it (an older page, a script) keeps the reader's choice.
        required=False,
    )


def _skin_choice(name: str, label: str, what: str) -> forms.ChoiceField:
    """A choice of the skin form whose refusal names the field and the choices there are."""
    choices = skins.CHOICES[name]
    names = ", ".join(label for _, label in choices)
    return forms.ChoiceField(
        label=label,
        choices=choices,
        error_messages={
            # The form shows "label: message".
            "required": f"Choose one of {names}.",
            "invalid_choice": f"“%(value)s” is not {what} here; choose one of "
            + names.replace("%", "%%")
            + ".",
        },
    )


class SkinForm(forms.Form):
    skin = _skin_choice("skin", "Site skin", "a site skin")
    scheme = _skin_choice("scheme", "Light or dark", "a colour scheme")
    size = _skin_choice("size", "Text size", "a text size")
    width = _skin_choice("width", "Line width", "a line width")

    def skin_chosen(self) -> skins.Skin:
        return skins.Skin(**self.cleaned_data)


def _current_password() -> forms.CharField:
    return forms.CharField(
        label="Current password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To make sure it is you.",
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label="New email",
        max_length=254,
        help_text="We send a link to this address; your account keeps its current address until "
        "you open the link.",
    )
    password = _current_password()


class UsernameChangeForm(forms.Form):
    username = forms.CharField(
        label="New user name",
        max_length=40,
        validators=[username_validator],
        help_text="3 to 40 letters, digits or underscores. You may change it once a week.",
    )
    password = _current_password()
