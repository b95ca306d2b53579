"""Every kind of change an article page shows, made the way the site makes it, for the page cache's tests.

Shared by the in-process tests (database cache) and the helper process of the two-process test (Redis).
"""

from articles.models import Article
from comments.models import Comment, ModerationSettings
from comments.services import comment_edit, comment_set_featured, comment_set_status, comment_threads_rebuild
from longwar.donations.models import SiteSettings
from tags.models import Tag


def prepare(article: Article) -> None:
    Comment.objects.create(
        article=article,
        author_name="Ada",
        body="Standing comment.",
        body_html="<p>Standing comment.</p>",
        status=Comment.Status.APPROVED,
    )
    Comment.objects.create(
        article=article, author_name="Bo", body="Waiting comment.", body_html="<p>Waiting comment.</p>"
    )
    Tag.objects.get_or_create(slug="nav-topic", defaults={"name": "Nav topic"})
    comment_threads_rebuild(article.pk)


def _comment(article, body):
    return Comment.objects.get(article=article, body=body)


def approve(article):
    comment_set_status(comment=_comment(article, "Waiting comment."), to=Comment.Status.APPROVED, by=None)


def remove(article):
    comment_set_status(comment=_comment(article, "Standing comment."), to=Comment.Status.REMOVED, by=None)


def edit(article):
    comment_edit(comment=_comment(article, "Standing comment."), body="Edited words.", by=None)


def feature(article):
    comment_set_featured(comment=_comment(article, "Standing comment."), featured=True, by=None)


def retitle(article):
    article.title = "Retitled article"
    article.save()


def retag(article):
    article.tags.add("Freshly tagged")


def rename_author(article):
    article.author.name = "Renamed Author"
    article.author.save()


def reword_appeal(article):
    appeal = SiteSettings.load()
    appeal.donation_appeal = "Please give generously here."
    appeal.save()


def feature_topic(article):
    topic = Tag.objects.get(slug="nav-topic")
    topic.featured = True
    topic.save()


def close_comments(article):
    config = ModerationSettings.load()
    config.close_after_days = 1
    config.save()


# name: (change, text on the page, whether the text is there after the change)
CHANGES = {
    "approve": (approve, "Waiting comment.", True),
    "remove": (remove, "Standing comment.", False),
    "edit": (edit, "Edited words.", True),
    "feature": (feature, "Editors’ picks", True),
    "article": (retitle, "Retitled article", True),
    "tags": (retag, "Freshly tagged", True),
    "author": (rename_author, "Renamed Author", True),
    "appeal": (reword_appeal, "Please give generously", True),
    "topic": (feature_topic, "Nav topic", True),
    "settings": (close_comments, "Comments are closed.", True),
}
