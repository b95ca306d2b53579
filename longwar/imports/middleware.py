"""Old WordPress links keep working: `/?p=<post id>` answers with a permanent redirect to the article.

The site's `/` is the articles app's index, and that app knows nothing of imports, so the project intercepts
the one WordPress form here, before URL resolution; without `p`, `/` is the index as always. The browser
keeps a `#comment-<id>` fragment across the redirect, and imported comments carry that anchor.
"""

from django.http import Http404, HttpResponsePermanentRedirect

from articles.models import Article
from longwar.imports.models import ImportedArticle, Source


def old_wordpress_links(get_response):
    def middleware(request):
        if request.path_info == "/" and "p" in request.GET:
            return redirect_post(request.GET["p"])
        return get_response(request)

    return middleware


def redirect_post(post_id: str) -> HttpResponsePermanentRedirect:
    """The article imported from this WordPress post, if readers may see it; else 404."""
    if not post_id.strip().isdecimal():  # WordPress post ids are numbers; anything else names no post
        raise Http404("No published article was imported from that WordPress post.")
    article = (
        Article.objects.published()
        .filter(
            pk__in=ImportedArticle.objects.filter(
                source=Source.WORDPRESS, external_id=post_id.strip()
            ).values("article_id")
        )
        .first()
    )
    if article is None:
        raise Http404("No published article was imported from that WordPress post.")
    return HttpResponsePermanentRedirect(article.get_absolute_url())
