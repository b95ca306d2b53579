"""The seed document parser; loading the documents is tested with the load_seeds command."""

import pytest

from longwar.management.commands.load_seeds import SEEDS_DIR
from longwar.seeds import SeedError, parse_seed

SEED = SEEDS_DIR / "000_945876b3b805b919.txt"


def test_seed_without_tags_line_is_refused():
    with pytest.raises(SeedError, match=r"^x\.txt:3: no 'Tags:' line"):
        parse_seed("Title\n\nBody\n", "x.txt")


def test_bad_blockquote_marker_names_the_companion():
    text = SEED.read_text(encoding="utf-8")
    with pytest.raises(SeedError, match=r"x\.json: blockquote marker 'Nowhere'"):
        parse_seed(text, "x.txt", {"blockquotes": [{"first": "Nowhere", "last": "Nowhere"}]}, "x.json")


def test_parser_reads_the_comments_at_the_foot():
    document = parse_seed(SEED.read_text(encoding="utf-8"), "seed.txt")
    names = [c.author_name for c in document.comments]
    assert names == ["Anonymous", "Grim", "Neonmeat", "bard207", "Charu", "Bungo", "Brian", "IanJ"]
    assert document.comments[0].body.startswith("I’m afraid Paki is preparing")
    assert "\n" in document.comments[0].body
    assert "\n\n" in document.comments[3].body
