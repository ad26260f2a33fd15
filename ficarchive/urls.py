from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from ficarchive.accounts import urls as accounts_urls
from ficarchive.api.docs import docs_asset
from ficarchive.api.main import api
from ficarchive.community import people_views
from ficarchive.works import views as work_views

# A write the disk refused, raised outside any view (a session saved on the way out), is
# answered 503 "cannot save right now" like those of views; anything else is the 500 page.
handler500 = "ficarchive.server.guards.server_error"
# A form too large to read (a paste of many megabytes) is answered 413 with the limits.
handler400 = "ficarchive.server.guards.bad_request"

urlpatterns = [
    path("", work_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v1/docs/<str:version>/<str:name>", docs_asset, name="api_docs_asset"),
    path("", include("ficarchive.works.urls")),
    # The user and pseud pages (community, as they list works) keep their `accounts:` names.
    path("", include((accounts_urls.urlpatterns + people_views.urlpatterns, "accounts"))),
    path("", include("ficarchive.exports.urls")),
    path("", include("ficarchive.overlap.urls")),
    path("", include("ficarchive.tags.urls")),
    path("", include("ficarchive.search.urls")),
    path("", include("ficarchive.community.urls")),
]
