import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from alliance.reference import PROJECT_APPS

pytestmark = pytest.mark.django_db


def _counts():
    models = [model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models()]
    return {model._meta.label: model.objects.count() for model in models}


def test_load_reference_data_is_idempotent_after_migrate():
    before = _counts()
    out = io.StringIO()

    call_command("load_reference_data", stdout=out)
    call_command("load_reference_data", stdout=out)

    assert _counts() == before
    assert "alliance: roles: 8" in out.getvalue()


def test_seed_demo_prints_the_superuser_password_once_and_is_rerunnable():
    first, second = io.StringIO(), io.StringIO()

    call_command("seed_demo", stdout=first)
    counts = _counts()
    call_command("seed_demo", stdout=second)

    match = re.search(r"Demo superuser: demo / (\S+)", first.getvalue())
    assert match
    assert get_user_model().objects.get(username="demo").check_password(match.group(1))
    assert "Demo superuser: demo /" not in second.getvalue()
    assert _counts() == counts
