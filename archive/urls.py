import os

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Engagement Archive — staff"
admin.site.site_title = "Engagement Archive admin"
admin.site.index_title = "Readouts and records"

# The admin's path can be moved away from the obvious one (ADMIN_PATH, default "admin/").
ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"

urlpatterns = [
    path(ADMIN_PATH, admin.site.urls),
    path("", include("engagements.urls")),
]
