from unittest import mock

import pytest
from django.db import OperationalError, connections


@pytest.mark.django_db
def test_health_answers_200_with_the_database_state(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_health_answers_503_when_the_database_is_down(client):
    down = OperationalError("server closed the connection")
    with mock.patch.object(connections["default"], "cursor", side_effect=down):
        response = client.get("/health/")
    assert response.status_code == 503
    # Anonymous callers learn that the database is down, not which one or how.
    assert response.json() == {"status": "error", "database": "unavailable"}
