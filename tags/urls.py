from django.urls import path, register_converter

from tags import views
from tags.converters import UnicodeSlugConverter
from tags.feeds import TagFeed

register_converter(UnicodeSlugConverter, "tagslug")

app_name = "tags"
urlpatterns = [
    path("", views.TagIndexView.as_view(), name="index"),
    path("<tagslug:slug>/", views.TagDetailView.as_view(), name="detail"),
    path("<tagslug:slug>/feed/", TagFeed(), name="feed"),
]
