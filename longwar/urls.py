"""The site's URLs: each app's own, plus the site-wide endpoints composed here."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from longwar import views
from longwar.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/insights/", admin.site.admin_view(views.insights_view), name="admin-insights"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("longwar.donations.urls")),
    path("", include("comments.urls")),
    path("tags/", include("tags.urls")),
    path("", include("articles.urls")),
]
