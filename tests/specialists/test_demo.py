import io
import re

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from specialists import demo
from specialists.models import Specialist

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_specialists_and_a_working_login(django_capture_on_commit_callbacks):
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(stdout=out)

    username, password = re.search(r"specialist demo: (\S+) / (\S+)", out.getvalue()).groups()
    # The login backends (axes first) authenticate a request, as the login pages do.
    user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)
    assert user is not None and user.specialist.name == "张伟明"
    states = dict(Specialist.objects.values_list("name", "status"))
    assert states == {"张伟明": "general", "李娜": "roster", "王强": "probation"}
    assert user.specialist.balance == 62 and user.specialist.documents.count() == 3
    assert all(d.ready for d in user.specialist.documents.all())


def test_demo_seed_twice_changes_nothing(django_capture_on_commit_callbacks):
    demo.seed(stdout=io.StringIO())
    counts = (Specialist.objects.count(), sum(Specialist.objects.values_list("balance", flat=True)))
    out = io.StringIO()

    demo.seed(stdout=out)

    assert (Specialist.objects.count(), sum(Specialist.objects.values_list("balance", flat=True))) == counts
    assert "exists already" in out.getvalue()
