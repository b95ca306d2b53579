"""`make run` loads the seeds every time: loading creates what is missing and never undoes staff work."""

import pytest
from django.core.management import call_command

from articles.models import Article
from articles.services import article_unpublish
from comments.decisions import DECISIONS
from comments.models import Comment
from comments.services import comment_decide, comment_edit
from longwar.management.commands.load_seeds import SEEDS_DIR
from longwar.models import LoadedSeed
from tags.models import Tag

pytestmark = pytest.mark.django_db

SEED = SEEDS_DIR / "000_945876b3b805b919.txt"


@pytest.fixture
def seeded():
    call_command("load_seeds", verbosity=0)
    return Article.objects.get()


def load_again(capsys) -> str:
    call_command("load_seeds", verbosity=1)
    return capsys.readouterr().out


def test_a_deleted_seed_comment_does_not_come_back(seeded, capsys):
    doomed = seeded.comments.get(author_name="Grim")
    doomed.delete()
    assert "0 row(s) created" in load_again(capsys)
    assert not seeded.comments.filter(author_name="Grim").exists()
    assert seeded.comments.count() == 7


def test_a_seed_comment_a_moderator_edited_or_removed_stays_so(seeded, admin_user, capsys):
    edited = seeded.comments.get(author_name="Grim")
    comment_edit(comment=edited, body="[Edited by a moderator.]", by=admin_user)
    removed = seeded.comments.get(author_name="Neonmeat")
    comment_decide(comment=removed, decision=DECISIONS["remove"], by=admin_user)
    load_again(capsys)
    assert seeded.comments.count() == 8
    assert list(seeded.comments.filter(author_name="Grim").values_list("body", "status")) == [
        ("[Edited by a moderator.]", Comment.Status.APPROVED)
    ]
    assert seeded.comments.get(author_name="Neonmeat").status == Comment.Status.REMOVED


def test_an_unpublished_and_edited_article_stays_as_staff_left_it(seeded, capsys):
    article_unpublish(article=seeded)
    Article.objects.filter(pk=seeded.pk).update(title="A better title", body="<p>Rewritten.</p>")
    seeded.tags.add("Pakistan")
    load_again(capsys)
    article = Article.objects.get()
    assert (article.status, article.title, article.body) == (
        Article.Status.DRAFT,
        "A better title",
        "<p>Rewritten.</p>",
    )
    assert list(article.tags.names()) == ["Pakistan"]


def test_a_deleted_seed_article_does_not_come_back(seeded, capsys):
    seeded.delete()
    load_again(capsys)
    assert not Article.objects.exists()
    assert not Comment.objects.exists()


def test_a_topic_staff_unfeatured_or_renamed_stays_so(seeded, capsys):
    Tag.objects.filter(name="Boko Haram").update(featured=False)
    Tag.objects.filter(name="Al Shabaab").update(name="al-Shabaab", order=9)
    load_again(capsys)
    assert [tag.name for tag in Tag.objects.featured()] == ["Islamic State", "al-Shabaab"]
    assert Tag.objects.count() == 3


def test_an_article_already_on_the_site_is_left_alone_and_gets_no_seed_comments(capsys):
    """A site seeded before seeds were recorded, or a page staff wrote under the same slug."""
    call_command("load_seeds", verbosity=0)
    article = Article.objects.get()
    article.comments.all().delete()
    Article.objects.filter(pk=article.pk).update(title="Staff's own")
    LoadedSeed.objects.all().delete()
    load_again(capsys)
    assert Article.objects.get().title == "Staff's own"
    assert not Comment.objects.exists()


def test_a_new_seed_file_still_loads_next_to_one_loaded_before(seeded, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(
        SEED.read_text(encoding="utf-8").replace(
            "Pakistan ready for peace with the Taliban?", "Another look at the Taliban"
        ),
        encoding="utf-8",
    )
    call_command("load_seeds", str(SEED), str(other), verbosity=0)
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Another look at the Taliban",
        "Pakistan ready for peace with the Taliban?",
    ]
    assert Comment.objects.count() == 16
