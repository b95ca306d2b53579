from django.urls import path, register_converter

from articles import feeds, views


class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigitMonth:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigitMonth, "mm")

app_name = "articles"
urlpatterns = [
    path("", views.ArticleIndexView.as_view(), name="index"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("<yyyy:year>/", views.ArticleYearArchiveView.as_view(), name="archive-year"),
    path("<yyyy:year>/<mm:month>/", views.ArticleMonthArchiveView.as_view(), name="archive-month"),
    path("<yyyy:year>/<mm:month>/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path(
        "<yyyy:year>/<mm:month>/<slug:slug>/comments/feed/",
        feeds.ArticleCommentsFeed(),
        name="comments-feed",
    ),
]
