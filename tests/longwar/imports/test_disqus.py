import pytest
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.models import Comment, ModerationEvent
from longwar.imports.models import ImportedArticle, ImportedComment, Source
from tests.factories import ArticleFactory
from tests.longwar.imports.conftest import DISQUS, WXR, differences

pytestmark = pytest.mark.django_db


def article(external_id: str) -> Article:
    return ImportedArticle.objects.get(source=Source.WORDPRESS, external_id=external_id).article


def disqus_comment(external_id: str) -> Comment:
    return ImportedComment.objects.get(source=Source.DISQUS, external_id=external_id).comment


@pytest.fixture
def wordpress(run_import):
    """The WordPress site the Disqus threads belong to, and two articles sharing a title."""
    run_import("import_wxr", WXR)
    ArticleFactory(title="Twice the same title", slug="twice-1")
    ArticleFactory(title="Twice the same title", slug="twice-2")


def test_threads_are_matched_by_link_then_title_and_never_guessed(wordpress, run_import):
    report, out = run_import("import_disqus", DISQUS)
    assert disqus_comment("5000010").article == article("101")  # the old WordPress permalink
    assert disqus_comment("5000012").article == article("111")  # ?p=111
    assert disqus_comment("5000014").article == article("102")  # by its exact title
    assert not ImportedComment.objects.filter(external_id__in=["5000015", "5000016"]).exists()
    assert report["sections"]["threads"]["database"] == {
        "matched by link": 2,
        "matched by title": 1,
        "no article with this link or title": 1,
        "several articles have this title": 1,
    }
    assert [(t["id"], t["posts"], t["reason"]) for t in report["unmatched_threads"]] == [
        ("903", 1, "no article with this link or title"),
        ("904", 1, "several articles have this title"),
    ]
    assert "unmatched thread 903: 'Never imported'" in out


def test_a_thread_linking_to_this_sites_article_url_is_matched(run_import, variant):
    target = ArticleFactory(title="Local article")
    path = variant(
        DISQUS,
        (
            "https://www.longwarjournal.org/archives/2011/04/never-imported.php",
            f"https://example.org{target.get_absolute_url()}",
        ),
    )
    run_import("import_disqus", path)
    assert disqus_comment("5000015").article == target


def test_posts_become_comments_with_their_status_author_and_thread(wordpress, run_import):
    report, _ = run_import("import_disqus", DISQUS)
    parent, reply = disqus_comment("5000010"), disqus_comment("5000011")
    assert reply.parent == parent  # the reply came first in the file
    assert (parent.status, parent.author_name, parent.author_email, parent.ip_address) == (
        Comment.Status.APPROVED,
        "Disqus Parent",
        "dparent@example.org",
        "198.51.100.31",
    )
    assert parent.body == "Disqus parent.\n\nWith a link (https://example.org/paper)."
    assert parent.legacy_id == 5000010  # keeps its Disqus anchor
    assert disqus_comment("5000012").status == Comment.Status.SPAM
    deleted = disqus_comment("5000013")
    assert (deleted.status, deleted.author_name) == (Comment.Status.REMOVED, "Guest")
    event = ModerationEvent.objects.get(comment=deleted)
    assert (event.kind, event.to_status, event.reason) == (
        ModerationEvent.Kind.IMPORT,
        Comment.Status.REMOVED,
        "Imported from Disqus (post 5000013), where it was deleted.",
    )
    assert report["sections"]["posts"]["file"] == {"deleted": 1, "spam": 1, "visible": 6}
    assert report["sections"]["posts"]["database"] == {"approved": 4, "removed": 1, "spam": 1}
    assert differences(report, "posts") == {"posts in threads not matched to an article: not imported": 2}
    assert report["sections"]["replies"]["database"] == {"top-level": 5, "replies": 1}
    assert report["unexplained"] == 0


def test_a_post_the_wordpress_plugin_synced_is_not_imported_twice(wordpress, run_import):
    report, _ = run_import("import_disqus", DISQUS)
    assert disqus_comment("5000001").pk == 1001
    assert Comment.objects.filter(body__startswith="Peace deals will continue").count() == 1
    assert Comment.objects.get(pk=1001).user_agent == "Mozilla/5.0 (Grim)"  # WordPress's fields are kept
    assert report["written"]["comments"] == {"created": 5, "updated": 0, "unchanged": 1, "kept_local": 0}


def test_importing_disqus_again_changes_nothing(wordpress, run_import):
    run_import("import_disqus", DISQUS)
    before = list(Comment.objects.values().order_by("pk")), ModerationEvent.objects.count()
    report, _ = run_import("import_disqus", DISQUS)
    assert report["written"]["comments"] == {"created": 0, "updated": 0, "unchanged": 6, "kept_local": 0}
    assert (list(Comment.objects.values().order_by("pk")), ModerationEvent.objects.count()) == before


def test_a_disqus_dry_run_saves_nothing(wordpress, run_import):
    count = Comment.objects.count()
    report, _ = run_import("import_disqus", DISQUS, "--dry-run")
    assert report["sections"]["posts"]["database"] == {"approved": 4, "removed": 1, "spam": 1}
    assert Comment.objects.count() == count
    assert not ImportedComment.objects.filter(source=Source.DISQUS, external_id="5000010").exists()


def disqus_fails(path) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("import_disqus", str(path), verbosity=0)
    return str(failure.value)


def test_bad_disqus_files_name_the_line_and_import_nothing(wordpress, variant, tmp_path):
    count = Comment.objects.count()
    text = DISQUS.read_text()
    truncated = variant(DISQUS, (text[text.index('<post dsq:id="5000014">') :], ""), name="truncated.xml")
    assert "malformed XML" in disqus_fails(truncated)
    date = variant(
        DISQUS,
        ("<createdAt>2011-03-10T13:00:00Z</createdAt>", "<createdAt>soon</createdAt>"),
        name="date.xml",
    )
    line = date.read_text().splitlines().index('  <post dsq:id="5000012">') + 1
    assert disqus_fails(date).startswith(f"{date}:{line}: post 5000012: unreadable createdAt 'soon'")
    assert "not a Disqus export" in disqus_fails(WXR)
    assert Comment.objects.count() == count
