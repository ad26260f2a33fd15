from __future__ import annotations

from django.urls import path

from ficarchive.accounts import block_views, identity_views, skin_views, token_views, views

# The user and pseud pages are named here too (`accounts:user`, `accounts:pseud`) but live in
# `community.people_views`: `ficarchive/urls.py` adds them to this namespace.
app_name = "accounts"
urlpatterns = [
    path("signup", views.signup, name="signup"),
    path("users/login", views.log_in, name="login"),
    path("users/logout", views.log_out, name="logout"),
    path("account/password", views.password_change, name="password"),
    path("account/password/reset", views.password_reset, name="password_reset"),
    path("account/password/reset/sent", views.password_reset_sent, name="password_reset_sent"),
    path(
        "account/password/reset/<str:uidb64>/<str:token>",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("account/preferences", views.preferences, name="preferences"),
    path("account/pseuds/new", views.pseud_new, name="pseud_new"),
    *block_views.urlpatterns,
    *skin_views.urlpatterns,
    *identity_views.urlpatterns,
    *token_views.urlpatterns,
]
