import pytest

from longwar.embedded_db import EmbeddedDatabaseError, embedded_database_settings


def test_embedded_server_failure_is_one_clear_line(tmp_path):
    with pytest.raises(EmbeddedDatabaseError) as failure:
        embedded_database_settings(tmp_path / "missing-parent" / ".pgdata")
    message = str(failure.value)
    assert "\n" not in message
    assert "cannot start the embedded PostgreSQL server" in message
    assert "DATABASE_URL" in message
