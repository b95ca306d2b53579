from django.urls import path

from articles import converters, feeds, views  # noqa: F401  (converters registers yyyy and mm)

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
]
