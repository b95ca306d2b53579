from django.urls import path

from tags import views
from tags.feeds import TagFeed

app_name = "tags"
urlpatterns = [
    path("", views.TagIndexView.as_view(), name="index"),
    path("<slug:slug>/", views.TagDetailView.as_view(), name="detail"),
    path("<slug:slug>/feed/", TagFeed(), name="feed"),
]
