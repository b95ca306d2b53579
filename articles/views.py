from django.conf import settings
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView, MonthArchiveView, YearArchiveView

from articles.models import Article, Author
from articles.search import SearchForm, search_articles


class PublishedArticleMixin:
    """What every public list of articles shares: the visibility rule, dates and paging."""

    date_field = "published_at"
    month_format = "%m"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().newest_first().select_related("author").prefetch_related("tags")


class ArticleIndexView(PublishedArticleMixin, ListView):
    template_name = "articles/article_index.html"


class ArticleYearArchiveView(PublishedArticleMixin, YearArchiveView):
    make_object_list = True


class ArticleMonthArchiveView(PublishedArticleMixin, MonthArchiveView):
    pass


class ArticleDetailView(DetailView):
    """An article; staff who may see articles in the admin also see drafts and scheduled ones, as a preview."""

    def get_queryset(self):
        articles = Article.objects.with_visibility().select_related("author").prefetch_related("tags")
        user = self.request.user
        if user.is_staff and (
            user.has_perm("articles.view_article") or user.has_perm("articles.change_article")
        ):
            return articles
        return articles.published()

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.get_absolute_url() != request.path:
            return redirect(self.object, permanent=self.object.is_public)
        return self.render_to_response(self.get_context_data(object=self.object))


class AuthorDetailView(PublishedArticleMixin, ListView):
    """An author's bio and their published articles."""

    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SearchView(ListView):
    """Full-text search; a missing, empty, too long or wordless query gets the form and a message."""

    template_name = "articles/search.html"
    paginate_by = settings.ARTICLES_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.form = SearchForm(request.GET if "q" in request.GET else None)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.form.is_valid():
            return search_articles(self.form.cleaned_data["q"])
        return Article.objects.none()

    def get_context_data(self, **kwargs):
        query = self.form.cleaned_data["q"] if self.form.is_valid() else ""
        return super().get_context_data(form=self.form, query=query, **kwargs)
