from unittest import mock

import pytest
from django.db import OperationalError, connection, connections


@pytest.mark.django_db
def test_health_answers_200_with_the_database_state(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "vendor": connection.vendor}


@pytest.mark.django_db
def test_health_answers_503_when_the_database_is_down(client):
    down = OperationalError("server closed the connection")
    with mock.patch.object(connections["default"], "cursor", side_effect=down):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
