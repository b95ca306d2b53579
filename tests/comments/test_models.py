import pytest
from django.core.exceptions import ValidationError

from comments.models import ModerationSettings

pytestmark = pytest.mark.django_db


def test_flood_limit_of_zero_is_refused():
    config = ModerationSettings.load()
    config.flood_max_comments = 0
    with pytest.raises(ValidationError):
        config.full_clean()
