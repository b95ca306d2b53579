import pytest

from tests.longwar.database_link import DatabaseLink, upstream


@pytest.fixture
def link():
    """The test database behind a link the test can cut (see database_link)."""
    link = DatabaseLink(upstream())
    yield link
    link.close()
