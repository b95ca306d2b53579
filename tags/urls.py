from django.urls import path

from articles.feeds import TagFeed
from tags import views

app_name = "tags"
urlpatterns = [
    path("", views.TagIndexView.as_view(), name="index"),
    path("<slug:slug>/", views.TagDetailView.as_view(), name="detail"),
    path("<slug:slug>/feed/", TagFeed(), name="feed"),
]
