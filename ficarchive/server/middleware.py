"""Security headers on every response: a Content-Security-Policy, and Strict-Transport-Security
where the archive is served over HTTPS. And the redirect from a renamed user's old pages.

The policy is the second line of defence behind the sanitizer: if some HTML ever reached a page
unsanitized, the browser would still run only the archive's own script files. Pages carry no
inline script, event-handler attribute or style attribute (a test checks every template), so the
policy needs no 'unsafe-inline' and no nonces, and a cached page is the same bytes for everyone.

Django's SecurityMiddleware sends Strict-Transport-Security only on requests it sees as secure;
behind a proxy that does not say so it would never send it. Browsers ignore the header over plain
HTTP, so it goes on every response once the settings say the archive is served over HTTPS.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.encoding import iri_to_uri

from ficarchive.accounts.identity import renamed_path


def hsts_value() -> str:
    """The Strict-Transport-Security value the settings ask for, or '' for none."""
    seconds = settings.SECURE_HSTS_SECONDS
    if not seconds:
        return ""
    value = f"max-age={seconds}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Read per response, not once at start-up: tests (and nothing else) change them.
        policy: str = settings.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        hsts = hsts_value()
        if hsts and "Strict-Transport-Security" not in response:
            response["Strict-Transport-Security"] = hsts
        return response


API_ROOT = "/api/v1"
API_USERS = f"{API_ROOT}/users/"


class RenamedUserRedirectMiddleware:
    """A page under `/users/{old}/…` that fails, where `old` is a name its user gave up in the
    last RENAME_REDIRECT_DAYS, redirects to the same page under their new name
    (`accounts.identity.renamed_path`). Working on the response, it covers every app's user
    pages, and the API's (`/api/v1/users/{old}/…`), and costs the pages that work nothing. Any
    4xx, not only 404: the owner's own pages (history, drafts) refuse a name that is not the
    signed-in user's with a 403.

    The redirect is a 302, not a 301: it lasts only RENAME_REDIRECT_DAYS, after which the old
    name is free for someone else, and browsers keep a 301 for good. Only GET and HEAD are
    redirected: a form posted to an old address is refused as before, not resent elsewhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not 400 <= response.status_code < 500 or request.method not in ("GET", "HEAD"):
            return response
        path, api = request.path_info, ""
        if path.startswith(API_USERS):  # the API's user addresses, as the web's
            api, path = API_ROOT, path.removeprefix(API_ROOT)
        target = renamed_path(path)
        if target is None:
            return response
        target = api + target
        script = request.path.removesuffix(request.path_info)
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(iri_to_uri(script + target) + (f"?{query}" if query else ""))
