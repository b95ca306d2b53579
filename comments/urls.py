from django.urls import path

from articles import converters  # noqa: F401  (registers yyyy and mm)
from comments import feeds, views

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:article_id>/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/email/confirm/<str:token>/", views.confirm, name="confirm"),
    path("comments/email/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<yyyy:year>/<mm:month>/<slug:slug>/comments/feed/", feeds.ArticleCommentsFeed(), name="feed"),
]
