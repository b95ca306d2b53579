from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import SITEMAPS
from longwar import views
from longwar.admin import insights_view

urlpatterns = [
    path("admin/insights/", admin.site.admin_view(insights_view), name="admin-insights"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("donate/", views.donate, name="donate"),
    path("support/", views.support, name="support"),
    path("comments/", include("comments.urls")),
    path("tags/", include("tags.urls")),
    path("", include("articles.urls")),
]
