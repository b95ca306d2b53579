from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author
from comments.models import Comment
from longwar.management.commands.load_seeds import SEEDS_DIR
from tags.models import Tag

pytestmark = pytest.mark.django_db

SEED = SEEDS_DIR / "000_945876b3b805b919.txt"


def test_seed_loads_author_article_and_topics():
    call_command("load_seeds", verbosity=0)
    author = Author.objects.get()
    assert author.name == "Bill Roggio"
    assert author.slug == "bill-roggio"
    assert author.title == "Senior Fellow at the Foundation for Defense of Democracies"
    assert author.bio.startswith("Bill Roggio is a Senior Fellow")
    article = Article.objects.published().get()
    assert article.title == "Pakistan ready for peace with the Taliban?"
    assert article.author == author
    published = timezone.localtime(article.published_at)
    assert (published.year, published.month) == (2011, 3)
    assert article.body.count("<p>") == 9
    assert article.body.count("<blockquote>") == 1
    quote = article.body.split("<blockquote>")[1].split("</blockquote>")[0]
    assert quote.startswith("\n<p>Pakistan has started peace talks")
    assert "other militant outfits.”</p>" in quote
    assert "The report goes on to note" not in quote
    assert list(article.tags.names()) == []
    assert [t.name for t in Tag.objects.featured()] == ["Islamic State", "Al Shabaab", "Boko Haram"]


def test_loading_twice_changes_nothing():
    call_command("load_seeds", verbosity=0)
    article = Article.objects.get()
    counts = (Author.objects.count(), Article.objects.count(), Tag.objects.count())
    call_command("load_seeds", verbosity=0)
    assert (Author.objects.count(), Article.objects.count(), Tag.objects.count()) == counts
    assert Article.objects.get().updated_at == article.updated_at


def test_seed_article_page_renders(client):
    call_command("load_seeds", verbosity=0)
    article = Article.objects.get()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<blockquote>" in html
    assert "Tags:" not in html
    assert f'href="{reverse("tags:detail", kwargs={"slug": "islamic-state"})}">Islamic State</a>' in html


def test_malformed_seed_names_file_and_line_and_loads_nothing(tmp_path):
    good = tmp_path / "a_good.txt"
    good.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "b_bad.txt"
    bad.write_text(
        "A title\n\nOne paragraph.\n\nNot a bio line\n\nPlease give.\n\nTags: ,\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match=r"b_bad\.txt:7: expected the donation appeal"):
        call_command("load_seeds", str(good), str(bad), verbosity=0)
    assert Article.objects.count() == 0
    assert Author.objects.count() == 0


def test_seed_without_companion_loads_as_draft(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    call_command("load_seeds", str(path), verbosity=0)
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert "<blockquote>" not in article.body


def test_dry_run_writes_nothing():
    call_command("load_seeds", dry_run=True, verbosity=0)
    assert Article.objects.count() == 0


def test_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="no such seed file"):
        call_command("load_seeds", str(Path("/nonexistent/seed.txt")), verbosity=0)


def test_seed_comments_load_approved_in_page_order_with_line_breaks():
    call_command("load_seeds", verbosity=0)
    call_command("load_seeds", verbosity=0)
    comments = list(Comment.objects.order_by("created_at"))
    assert [c.author_name for c in comments] == [
        "Anonymous",
        "Grim",
        "Neonmeat",
        "bard207",
        "Charu",
        "Bungo",
        "Brian",
        "IanJ",
    ]
    assert {c.status for c in comments} == {Comment.Status.APPROVED}
    assert (
        comments[0].body.splitlines()[1]
        == "can on US to end drone attacks in the Sanctuarys Paki has for Afghan Taliban, including holding Davis."
    )
    assert (
        comments[3].body.split("\n\n")[1]
        == "Pak intelligence, top cops see “foreign hand ” behind Lahore, Karachi suicide attacks"
    )
    assert comments[-1].body.endswith("be it the US or the TTP.")
    assert all(c.events.count() == 1 for c in comments)


def test_a_seed_changed_after_loading_does_not_override_the_site(tmp_path):
    text = tmp_path / "seed.txt"
    text.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    companion = tmp_path / "seed.json"
    companion.write_text('{"published_at": "2011-03-23T08:00:00-04:00"}', encoding="utf-8")
    call_command("load_seeds", str(text), verbosity=0)
    companion.write_text('{"published_at": "2011-03-24T08:00:00-04:00"}', encoding="utf-8")
    call_command("load_seeds", str(text), verbosity=0)
    assert Comment.objects.count() == 8
    assert timezone.localtime(Article.objects.get().published_at).day == 23
    first = Comment.objects.order_by("created_at").first()
    assert timezone.localtime(first.created_at).day == 23


def test_article_tag_matching_a_topic_in_other_case_is_the_same_tag(tmp_path):
    path = tmp_path / "tagged.txt"
    path.write_text(
        SEED.read_text(encoding="utf-8").replace("Tags: ,", "Tags: islamic state"), encoding="utf-8"
    )
    call_command("load_seeds", str(path), verbosity=0)
    assert Tag.objects.filter(slug__startswith="islamic-state").count() == 1
    assert Article.objects.get().tags.get().slug == "islamic-state"
