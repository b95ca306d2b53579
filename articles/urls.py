from django.urls import path, register_converter

from articles import views


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
    path("<yyyy:year>/", views.ArticleYearArchiveView.as_view(), name="archive-year"),
    path("<yyyy:year>/<mm:month>/", views.ArticleMonthArchiveView.as_view(), name="archive-month"),
    path("<yyyy:year>/<mm:month>/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
]
