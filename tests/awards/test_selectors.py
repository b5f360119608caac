"""The round's dashboard in a constant number of queries; the public notice's list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from awards.enums import ApplicationStatus as S
from awards.selectors import round_dashboard
from tests.awards.factories import ApplicationFactory, RoundFactory

pytestmark = pytest.mark.django_db


def _count(round_):
    with CaptureQueriesContext(connection) as ctx:
        dashboard = round_dashboard(round_)
    return dashboard, len(ctx.captured_queries)


def test_dashboard_counts_every_stage_in_two_queries():
    round_ = RoundFactory()
    small, small_queries = _count(round_)
    for status in (S.DRAFT, S.SUBMITTED, S.SUBMITTED, S.PEER_REVIEW, S.PUBLIC_NOTICE):
        ApplicationFactory(round=round_, status=status)

    dashboard, queries = _count(round_)

    assert queries == small_queries == 2
    assert dashboard["stages"][S.SUBMITTED] == 2
    assert dashboard["stages"][S.AWARDED] == 0
    assert dashboard["total"] == 5
