from django.contrib import admin
from django.urls import include, path

from longwar import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("donate/", views.donate, name="donate"),
    path("support/", views.support, name="support"),
    path("comments/", include("comments.urls")),
    path("tags/", include("tags.urls")),
    path("", include("articles.urls")),
]
