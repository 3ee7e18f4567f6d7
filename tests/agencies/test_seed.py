import pytest
from django.core.management import call_command
from django.http import HttpRequest

from agencies.models import Agency, Membership, Region, User
from registry.models import Cycle
from scoring.models import Edition

pytestmark = pytest.mark.django_db


def counts():
    return [model.objects.count() for model in (Region, Agency, User, Membership, Cycle, Edition)]


def test_seed_demo_loads_parepare_and_is_idempotent(capsys):
    call_command("seed_demo")
    first = counts()
    assert first[:2] == [1, 74]
    assert User.objects.filter(role="innovator").count() >= 3
    assert User.objects.filter(role="reviewer").exists() and User.objects.filter(role="admin").exists()
    assert Cycle.objects.get().edition.year == 2024
    call_command("seed_demo")
    assert counts() == first
    assert "admin@parepare.demo" in capsys.readouterr().out


def test_seed_demo_people_can_sign_in(client):
    from reports.management.commands.seed_demo import DEMO_PASSWORD

    call_command("seed_demo")
    assert client.login(
        request=HttpRequest(), username="inovator.dinkes@parepare.demo", password=DEMO_PASSWORD
    )
