from django.urls import path

from articles import converters  # noqa: F401  (registers yyyy and mm)
from comments import feeds, views

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:article_id>/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("<yyyy:year>/<mm:month>/<slug:slug>/comments/feed/", feeds.ArticleCommentsFeed(), name="feed"),
]
