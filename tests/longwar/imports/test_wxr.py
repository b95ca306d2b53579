from datetime import UTC, datetime
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Author
from comments.models import Comment, ModerationEvent, ModerationSettings
from comments.moderation import Submission
from comments.services import comment_submit
from longwar.imports.models import ImportedArticle, ImportedComment, Source
from tags.models import Tag
from tests.longwar.imports.conftest import FIXTURES, WXR, differences

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def imported(external_id: str) -> Article:
    return ImportedArticle.objects.get(source=Source.WORDPRESS, external_id=external_id).article


def test_posts_become_articles_with_their_status_dates_and_authors(run_import):
    run_import("import_wxr", WXR)
    published = imported("101")
    assert published.status == Article.Status.PUBLISHED
    assert published.published_at == datetime(2011, 3, 9, 14, 30, tzinfo=UTC)
    assert published.slug == "pakistan-ready-for-peace"
    assert published.author.name == "Bill Roggio"
    assert published.author.slug == "broggio"
    assert published.comments_open
    future = imported("102")
    assert future.status == Article.Status.PUBLISHED
    assert future.published_at == datetime(2099, 1, 1, 12, tzinfo=UTC)
    assert future not in Article.objects.published()  # hidden until its date
    assert not future.comments_open  # wp:comment_status closed
    assert future.author.name == "Thomas Joscelyn"  # no display name: first and last name
    assert [imported(i).status for i in ("103", "104", "105")] == [Article.Status.DRAFT] * 3
    assert imported("110").status == Article.Status.DRAFT  # published with a password: never public here
    assert not ImportedArticle.objects.filter(external_id__in=["106", "107", "108", "109"]).exists()
    assert Author.objects.get(slug="guest").name == "guest"  # dc:creator without a wp:author entry


def test_a_zero_gmt_date_falls_back_to_the_local_date_in_the_sites_time_zone(run_import, settings):
    settings.TIME_ZONE = "America/New_York"
    run_import("import_wxr", WXR)
    assert imported("111").published_at == datetime(2011, 7, 1, 23, 30, tzinfo=NEW_YORK)
    assert imported("103").published_at == datetime(2011, 7, 4, 9, 15, tzinfo=NEW_YORK)
    assert Comment.objects.get(pk=1004).created_at == datetime(2011, 3, 9, 12, tzinfo=NEW_YORK)
    assert imported("111").get_absolute_url().startswith("/2011/07/")  # the month WordPress showed


def test_bodies_get_paragraphs_lose_shortcodes_and_hostile_html(run_import):
    run_import("import_wxr", WXR)
    body = imported("101").body
    assert body.startswith("<p>Pakistan has started peace talks.<br>\nA second line.</p>")
    assert '<img src="https://example.org/map.png" alt="Map" width="300"> The region' in body
    assert "[caption" not in body
    assert "[gallery" not in body
    assert "[/caption]" not in body
    assert "The [Taliban] said no." in body  # square brackets in prose are not shortcodes
    for hostile in ("<script", "alert(", "onclick", "javascript:", "<iframe"):
        assert hostile not in body
    assert (
        '<a href="https://www.youtube.com/embed/abc" rel="noopener noreferrer">' in body
    )  # the embed, as a link
    assert "<p></p>" not in body
    assert imported("111").body == "<p>Already in paragraphs.</p>\n<p>Second.</p>"


def test_titles_and_deks_keep_their_text_not_their_markup(run_import):
    run_import("import_wxr", WXR)
    assert imported("111").title == "Iraq & the surge"
    assert imported("101").dek == "Talks & more"
    assert imported("103").slug == "a-draft"  # no post_name: from the title


def test_categories_and_tags_become_tags_and_categories_can_be_featured(run_import):
    report, _ = run_import("import_wxr", WXR, "--featured-categories")
    assert sorted(imported("101").tags.names()) == ["Afghanistan", "Taliban"]
    assert list(imported("111").tags.names()) == ["Iraq"]  # category and tag "iraq" are one tag here
    assert set(Tag.objects.values_list("slug", "featured")) == {
        ("afghanistan", True),
        ("iraq", True),
        ("taliban", False),
    }
    assert Tag.objects.get(slug="afghanistan").description == "The war in Afghanistan."
    assert (
        differences(report, "tags")["links to post_format terms: not imported (only categories and tags)"]
        == 1
    )


def test_categories_are_not_featured_without_the_flag(run_import):
    run_import("import_wxr", WXR)
    assert not Tag.objects.filter(featured=True).exists()


def test_comments_keep_status_author_and_date(run_import):
    run_import("import_wxr", WXR)
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {
        1001: Comment.Status.APPROVED,
        1002: Comment.Status.APPROVED,
        1003: Comment.Status.APPROVED,
        1004: Comment.Status.PENDING,
        1005: Comment.Status.SPAM,
        1006: Comment.Status.REMOVED,
        1008: Comment.Status.APPROVED,
        1009: Comment.Status.APPROVED,
        1111: Comment.Status.APPROVED,
    }  # 1007 is a pingback, 1061 is on a trashed post
    grim = Comment.objects.get(pk=1001)
    assert (grim.author_name, grim.author_email, grim.author_url) == ("Grim", "grim@example.org", "")
    assert (grim.ip_address, grim.user_agent) == ("203.0.113.7", "Mozilla/5.0 (Grim)")
    assert grim.created_at == datetime(2011, 3, 9, 15, tzinfo=UTC)
    assert grim.body == "Peace deals will continue to be made.\n\nSecond paragraph."
    assert grim.article == imported("101")
    assert Comment.objects.get(pk=1003).ip_address == "2001:db8::1"
    assert Comment.objects.get(pk=1004).ip_address is None  # "not an ip"
    assert Comment.objects.get(pk=1002).author_url == "https://replier.example.org/"


def test_hostile_comment_is_stored_as_plain_text(run_import):
    run_import("import_wxr", WXR)
    hostile = Comment.objects.get(pk=1009)
    assert hostile.author_name == "Hostile"
    assert hostile.author_url == ""  # javascript: is not a website
    assert hostile.body == "See the report (https://example.org/report) and this."


def test_every_imported_comment_is_logged_with_its_original_status(run_import):
    run_import("import_wxr", WXR)
    events = ModerationEvent.objects.filter(comment_id=1005)
    assert [(e.kind, e.from_status, e.to_status, e.actor) for e in events] == [
        (ModerationEvent.Kind.IMPORT, "", Comment.Status.SPAM, None)
    ]
    assert events.get().reason == "Imported from WordPress (comment 1005), where it was spam."
    assert ModerationEvent.objects.filter(kind=ModerationEvent.Kind.IMPORT).count() == Comment.objects.count()
    assert len(set(ModerationEvent.objects.values_list("batch", flat=True))) == 1  # one run, one batch


def test_imported_approved_comments_count_for_the_trust_ladder(run_import, article):
    """The 'approve known commenters' policy knows Grim from his imported approved comment (same network)."""
    run_import("import_wxr", WXR)
    ModerationSettings.objects.update_or_create(
        pk=1, defaults={"policy": ModerationSettings.Policy.APPROVE_KNOWN}
    )
    submission = Submission(
        name="Grim", email="grim@example.org", body="Still true.", ip_address="203.0.113.9", form_age=10
    )
    assert comment_submit(article=article, submission=submission).status == Comment.Status.APPROVED


def test_threads_are_rebuilt_when_a_reply_comes_before_its_parent(run_import):
    report, _ = run_import("import_wxr", WXR)
    assert Comment.objects.get(pk=1002).parent_id == 1003
    assert Comment.objects.get(pk=1008).parent_id is None  # its parent 999 is not in the file
    assert report["sections"]["threads"]["file"] == {"top-level": 7, "replies": 2}
    assert report["sections"]["threads"]["database"] == {"top-level": 8, "replies": 1}
    assert differences(report, "threads") == {
        "replies whose parent is not in the file: shown as top-level comments": 1
    }


def test_the_report_counts_the_file_and_the_database_and_explains_each_difference(run_import):
    report, out = run_import("import_wxr", WXR)
    posts = report["sections"]["posts"]
    assert posts["file"] == {
        "attachment": {"inherit": 1},
        "nav_menu_item": {"publish": 1},
        "page": {"publish": 1},
        "post": {"draft": 1, "future": 1, "pending": 1, "private": 1, "publish": 3, "trash": 1},
    }
    assert posts["database"] == {"draft": 4, "published": 3}
    assert differences(report, "posts") == {
        "attachment (inherit): not imported, only posts become articles": 1,
        "nav_menu_item (publish): not imported, only posts become articles": 1,
        "page (publish): not imported, only posts become articles": 1,
        "trash posts: not imported": 1,
        "password-protected posts: imported as drafts, never published": 1,
    }
    comments = report["sections"]["comments"]
    assert comments["file"] == {
        "comment": {"approved": 6, "pending": 1, "post-trashed": 1, "spam": 1, "trash": 1},
        "pingback": {"approved": 1},
    }
    assert comments["database"] == {"approved": 6, "pending": 1, "removed": 1, "spam": 1}
    assert differences(report, "comments") == {
        "pingbacks: not imported": 1,
        "comments on posts that were not imported (pages, trash, other types)": 1,
    }
    assert report["sections"]["authors"]["database"] == {"authors": 3}
    assert report["sections"]["tags"]["database"] == {"tags": 3}
    assert report["sections"]["taggings"]["database"] == {"tagged articles": 3}
    assert report["unexplained"] == 0
    assert "Import complete." in out


def test_importing_again_changes_nothing(run_import):
    run_import("import_wxr", WXR)
    before = {
        "articles": list(Article.objects.values_list("pk", "updated_at").order_by("pk")),
        "comments": list(Comment.objects.values().order_by("pk")),
        "events": ModerationEvent.objects.count(),
        "mappings": list(ImportedComment.objects.values_list("pk", "imported_at").order_by("pk")),
        "tags": Tag.objects.count(),
        "authors": Author.objects.count(),
    }
    report, _ = run_import("import_wxr", WXR)
    assert report["written"]["articles"] == {"created": 0, "updated": 0, "unchanged": 7, "kept_local": 0}
    assert report["written"]["comments"] == {"created": 0, "updated": 0, "unchanged": 9, "kept_local": 0}
    assert before == {
        "articles": list(Article.objects.values_list("pk", "updated_at").order_by("pk")),
        "comments": list(Comment.objects.values().order_by("pk")),
        "events": ModerationEvent.objects.count(),
        "mappings": list(ImportedComment.objects.values_list("pk", "imported_at").order_by("pk")),
        "tags": Tag.objects.count(),
        "authors": Author.objects.count(),
    }


def test_a_newer_export_adds_and_updates_but_keeps_decisions_made_here(run_import, variant, admin_user):
    from comments.decisions import DECISIONS
    from comments.services import comment_decide, comment_edit

    run_import("import_wxr", WXR)
    # Here, between the two exports: a moderator approves the held comment and edits another one.
    comment_decide(comment=Comment.objects.get(pk=1004), decision=DECISIONS["approve"], by=admin_user)
    comment_edit(comment=Comment.objects.get(pk=1008), body="Edited here.", by=admin_user)
    newer = variant(
        WXR,
        # There: the held comment was marked spam, a comment trashed, one text and a title changed.
        (
            "<wp:comment_content><![CDATA[Waiting for a moderator.]]></wp:comment_content>\n\t\t\t<wp:comment_approved><![CDATA[0]]>",
            "<wp:comment_content><![CDATA[Waiting for a moderator.]]></wp:comment_content>\n\t\t\t<wp:comment_approved><![CDATA[spam]]>",
        ),
        (
            "<wp:comment_content><![CDATA[The parent, later in the file.]]></wp:comment_content>\n\t\t\t<wp:comment_approved><![CDATA[1]]>",
            "<wp:comment_content><![CDATA[The parent, later in the file.]]></wp:comment_content>\n\t\t\t<wp:comment_approved><![CDATA[trash]]>",
        ),
        ("My parent was deleted.", "Changed there too."),
        ("Peace deals will continue to be made.", "Peace deals will go on."),
        (
            "<title><![CDATA[Scheduled analysis]]></title>",
            "<title><![CDATA[Scheduled analysis, revised]]></title>",
        ),
        # ... and a new comment and a new post came in.
        (
            "</item>\n\t<item>\n\t\t<title><![CDATA[Scheduled analysis",
            """<wp:comment><wp:comment_id>1010</wp:comment_id><wp:comment_author>New</wp:comment_author>
<wp:comment_date_gmt>2011-03-10 10:00:00</wp:comment_date_gmt><wp:comment_content>Late reply.</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>1001</wp:comment_parent></wp:comment>
</item>\n\t<item>\n\t\t<title><![CDATA[Scheduled analysis""",
        ),
        (
            "</channel>",
            """<item><title>Brand new</title><dc:creator>broggio</dc:creator><wp:post_id>112</wp:post_id>
<wp:post_date_gmt>2011-09-01 10:00:00</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<content:encoded>New.</content:encoded></item></channel>""",
        ),
    )
    report, _ = run_import("import_wxr", newer)
    assert Comment.objects.get(pk=1004).status == Comment.Status.APPROVED  # the moderator's decision stands
    assert (
        Comment.objects.get(pk=1003).status == Comment.Status.REMOVED
    )  # no decision here: follows the export
    assert Comment.objects.get(pk=1008).body == "Edited here."  # edited here: kept
    assert Comment.objects.get(pk=1001).body == "Peace deals will go on.\n\nSecond paragraph."
    assert Comment.objects.get(pk=1010).parent_id == 1001
    assert imported("102").title == "Scheduled analysis, revised"
    assert imported("112").status == Article.Status.PUBLISHED
    update = ModerationEvent.objects.filter(comment_id=1003).first()
    assert (update.kind, update.from_status, update.to_status) == (
        ModerationEvent.Kind.IMPORT,
        Comment.Status.APPROVED,
        Comment.Status.REMOVED,
    )
    assert (
        ModerationEvent.objects.filter(comment_id=1001)
        .first()
        .previous_body.startswith("Peace deals will continue")
    )
    assert report["written"]["comments"] == {"created": 1, "updated": 2, "unchanged": 5, "kept_local": 2}
    assert report["written"]["articles"] == {"created": 1, "updated": 1, "unchanged": 6, "kept_local": 0}
    assert (
        differences(report, "comments")[
            "spam in the file, approved here: a moderator decided here since the last import (kept)"
        ]
        == 1
    )
    assert report["unexplained"] == 0
    again, _ = run_import("import_wxr", newer)
    assert again["written"]["comments"] == {"created": 0, "updated": 0, "unchanged": 8, "kept_local": 2}


def test_a_comment_deleted_here_is_not_brought_back_by_importing_again(run_import):
    run_import("import_wxr", WXR)
    Comment.objects.get(pk=1001).delete()  # a moderator deleted it here
    report, _ = run_import("import_wxr", WXR)
    assert not Comment.objects.filter(pk=1001).exists()
    assert report["written"]["comments"] == {"created": 0, "updated": 0, "unchanged": 8, "kept_local": 1}
    assert differences(report, "comments")["deleted here, so not imported again"] == 1
    assert report["unexplained"] == 0


def test_an_article_edited_here_keeps_its_edit(run_import, variant):
    run_import("import_wxr", WXR)
    edited = imported("101")
    edited.title = "Retitled here"
    edited.save()
    report, _ = run_import("import_wxr", variant(WXR, ("peace talks.", "peace talks again.")))
    assert imported("101").title == "Retitled here"
    assert "again" not in imported("101").body
    assert report["written"]["articles"]["kept_local"] == 1


def test_a_dry_run_reports_and_saves_nothing(run_import):
    report, out = run_import("import_wxr", WXR, "--dry-run")
    assert report["dry_run"] is True
    assert report["sections"]["comments"]["database"] == {
        "approved": 6,
        "pending": 1,
        "removed": 1,
        "spam": 1,
    }
    assert (Article.objects.count(), Comment.objects.count(), ImportedComment.objects.count()) == (0, 0, 0)
    assert "Dry run: nothing was saved." in out


@pytest.mark.parametrize(
    ("path", "articles", "comment"),
    [
        ("site-1.0.xml", {"7": "First post"}, (70, "approved")),
        ("site-1.1.xml", {"21": "Middle post"}, (210, "pending")),
    ],
)
def test_older_wxr_versions_import(run_import, path, articles, comment):
    report, _ = run_import("import_wxr", FIXTURES / path)
    assert dict(ImportedArticle.objects.values_list("external_id", "article__title")) == articles
    assert Comment.objects.get(pk=comment[0]).status == comment[1]
    assert report["unexplained"] == 0


def test_wxr_1_0_categories_and_tags_without_slugs(run_import):
    run_import("import_wxr", FIXTURES / "site-1.0.xml")
    assert sorted(imported("7").tags.values_list("slug", "name")) == [
        ("al-qaeda", "Al Qaeda"),
        ("news", "News"),
    ]
    assert imported("7").author.slug == "admin"


def test_wxr_1_1_authors_excerpt_and_closed_comments(run_import):
    run_import("import_wxr", FIXTURES / "site-1.1.xml")
    post = imported("21")
    assert (post.author.name, post.dek, post.comments_open) == ("The Editor", "The dek.", False)


def import_fails(path) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("import_wxr", str(path), verbosity=0)
    return str(failure.value)


def test_a_truncated_file_names_the_line_and_imports_nothing(variant):
    text = WXR.read_text(encoding="utf-8")
    truncated = variant(WXR, (text[text.index("<item>\n\t\t<title><![CDATA[Private notes") :], ""))
    message = import_fails(truncated)
    assert message.startswith(f"{truncated}:")
    assert "malformed XML" in message
    assert "nothing was imported" in message
    assert (
        Article.objects.count(),
        Comment.objects.count(),
        Tag.objects.count(),
        Author.objects.count(),
    ) == (0, 0, 0, 0)


def test_malformed_xml_names_its_line(variant):
    broken = variant(WXR, ("<wp:post_id>104</wp:post_id>", "<wp:post_id>104</wp:post_idx>"))
    line = broken.read_text().splitlines().index("\t\t<wp:post_id>104</wp:post_idx>") + 1
    assert import_fails(broken).startswith(f"{broken}:{line}: malformed XML")
    assert not Article.objects.exists()


def test_a_file_that_is_not_wxr_is_refused(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title></channel></rss>\n')
    assert "not a WordPress export (WXR)" in import_fails(feed)
    text = tmp_path / "notes.txt"
    text.write_text("just words\n")
    assert import_fails(text).startswith(f"{text}:1: malformed XML")


def test_an_unknown_wxr_version_is_refused(variant):
    future = variant(WXR, ("http://wordpress.org/export/1.2/", "http://wordpress.org/export/1.3/"))
    assert import_fails(future) == (
        f"{future}:9: unknown WXR version '1.3'; this importer reads versions 1.0, 1.1, 1.2 (nothing was imported)"
    )
    mislabelled = variant(
        WXR, ("<wp:wxr_version>1.2</wp:wxr_version>", "<wp:wxr_version>2.0</wp:wxr_version>")
    )
    assert "unknown WXR version '2.0'" in import_fails(mislabelled)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "<wp:comment_approved><![CDATA[spam]]>",
            "<wp:comment_approved><![CDATA[maybe]]>",
            "comment 1005: unknown wp:comment_approved 'maybe'",
        ),
        (
            "<wp:post_date_gmt><![CDATA[2011-07-05 13:15:00]]>",
            "<wp:post_date_gmt><![CDATA[yesterday]]>",
            "post 104: unreadable date (GMT 'yesterday', local '2011-07-05 09:15:00')",
        ),
        (
            "<wp:post_id>104</wp:post_id>",
            "<wp:post_id>101</wp:post_id>",
            "post 101 appears twice (first at line 26)",
        ),
    ],
)
def test_bad_records_name_their_line_and_import_nothing(variant, old, new, message):
    bad = variant(WXR, (old, new))
    assert message in import_fails(bad)
    assert not Comment.objects.exists()


def test_a_published_post_without_any_date_is_refused(variant):
    bad = variant(
        WXR,
        (
            "<wp:post_date><![CDATA[2011-07-01 23:30:00]]></wp:post_date>",
            "<wp:post_date>0000-00-00 00:00:00</wp:post_date>",
        ),
    )
    assert "post 111: no date (GMT '0000-00-00 00:00:00', local '0000-00-00 00:00:00')" in import_fails(bad)


def test_an_unexplained_difference_exits_non_zero(run_import, monkeypatch, tmp_path):
    """A comment lost on the way (here: the bulk write drops one) is caught by reading the database back."""
    from comments import services

    original = services.comments_import

    def lossy(*, comments, notes, batch=None):
        created = original(comments=comments, notes=notes, batch=batch)
        Comment.objects.filter(pk=1004).update(status=Comment.Status.APPROVED)
        return created

    monkeypatch.setattr("longwar.imports.store.comments_import", lossy)
    with pytest.raises(CommandError, match="1 unexplained difference"):
        run_import("import_wxr", WXR)
    report = (tmp_path / "report-import_wxr.json").read_text()
    assert '"reason": "pending in the file, approved here",\n          "explained": false' in report


def test_replies_that_cannot_hang_from_their_parent_become_top_level_and_are_explained(
    run_import, variant, client
):
    """A loop of replies, a reply to a pingback and a reply to a comment on another post."""
    tangled = variant(
        WXR,
        (
            "<wp:comment_content><![CDATA[The parent, later in the file.]]></wp:comment_content>\n"
            "\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>\n"
            "\t\t\t<wp:comment_type><![CDATA[comment]]></wp:comment_type>\n"
            "\t\t\t<wp:comment_parent>0</wp:comment_parent>",
            "<wp:comment_content><![CDATA[The parent, later in the file.]]></wp:comment_content>\n"
            "\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>\n"
            "\t\t\t<wp:comment_type><![CDATA[comment]]></wp:comment_type>\n"
            "\t\t\t<wp:comment_parent>1002</wp:comment_parent>",
        ),
        ("<wp:comment_parent>999</wp:comment_parent>", "<wp:comment_parent>1007</wp:comment_parent>"),
        (
            "<wp:comment_content><![CDATA[Another view.]]></wp:comment_content>\n"
            "\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>\n"
            "\t\t\t<wp:comment_type><![CDATA[comment]]></wp:comment_type>\n"
            "\t\t\t<wp:comment_parent>0</wp:comment_parent>",
            "<wp:comment_content><![CDATA[Another view.]]></wp:comment_content>\n"
            "\t\t\t<wp:comment_approved><![CDATA[1]]></wp:comment_approved>\n"
            "\t\t\t<wp:comment_type><![CDATA[comment]]></wp:comment_type>\n"
            "\t\t\t<wp:comment_parent>1001</wp:comment_parent>",
        ),
    )
    report, _ = run_import("import_wxr", tangled)
    parents = dict(Comment.objects.filter(pk__in=[1002, 1003, 1008, 1111]).values_list("pk", "parent_id"))
    assert parents == {1002: None, 1003: None, 1008: None, 1111: None}
    assert differences(report, "threads") == {
        "replies to a comment not imported (pingback, trackback, skipped): top-level": 1,
        "replies whose parent is on another post: top-level": 1,
        "replies in a loop of replies (each other's parent): top-level": 2,
    }
    assert report["unexplained"] == 0
    assert client.get(imported("101").get_absolute_url()).status_code == HTTPStatus.OK
    again, _ = run_import("import_wxr", tangled)
    assert again["written"]["comments"]["unchanged"] == 9
