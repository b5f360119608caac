"""The result API is served from the cache until the assessment changes (bench/README.md §7): every
write that changes what the result shows bumps the assessment's result_version, so no stale result
is ever read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenmine import services
from greenmine.models import Assessment, Evidence
from tests.factories import UserFactory
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db

BASE = "/api/greenmine/assessments/"


@pytest.fixture
def staff():
    return UserFactory(roles=["secretariat"], is_staff=True)


@pytest.fixture
def scored(staff):
    a = gm.assessment(staff)
    (assignment,) = gm.assign(a, staff, gm.expert("cache_expert"))
    gm.pass_prerequisites(a, staff)
    gm.full_scores(assignment)
    gm.evidence_for_all(a, staff, except_numbers=(1,))
    return a, assignment


def _result(api_client, user, a):
    api_client.force_authenticate(user)
    response = api_client.get(f"{BASE}{a.pk}/result/")
    assert response.status_code == 200
    return response.json()


def _queries(api_client, user, a):
    api_client.force_authenticate(user)
    with CaptureQueriesContext(connection) as captured:
        api_client.get(f"{BASE}{a.pk}/result/")
    return len(captured)


def test_a_second_read_comes_from_the_cache(api_client, staff, scored):
    a, _assignment = scored
    first = _queries(api_client, staff, a)
    second = _queries(api_client, staff, a)
    assert second < first
    assert second <= 3  # the role lookup and the assessment; no scores, evidence or prerequisites


def test_a_changed_score_is_read_at_once(api_client, staff, scored):
    a, assignment = scored
    before = _result(api_client, staff, a)

    gm.full_scores(assignment, n2=0)

    after = _result(api_client, staff, a)
    assert after["total"] < before["total"]
    score = {i["number"]: i["score"] for i in after["indicators"]}[2]
    assert float(score) == 0


def test_evidence_added_and_removed_is_read_at_once(api_client, staff, scored):
    a, _assignment = scored
    assert 1 in _result(api_client, staff, a)["missing_evidence"]

    upload = SimpleUploadedFile("证明.pdf", gm.PDF_BYTES, content_type="application/pdf")
    services.evidence_add(a, number=1, upload=upload, by=staff)
    assert 1 not in _result(api_client, staff, a)["missing_evidence"]

    services.evidence_remove(Evidence.objects.get(assessment=a, indicator__number=1), by=staff)
    assert 1 in _result(api_client, staff, a)["missing_evidence"]


def test_a_failed_prerequisite_is_read_at_once(api_client, staff, scored):
    a, _assignment = scored
    assert _result(api_client, staff, a)["failed_prerequisites"] == []

    gm.pass_prerequisites(a, staff, failed=("licences",))

    assert _result(api_client, staff, a)["failed_prerequisites"]


def test_a_new_expert_and_a_status_change_are_read_at_once(api_client, staff, scored):
    a, assignment = scored
    experts = len(_result(api_client, staff, a)["experts"])

    gm.assign(a, staff, gm.expert("second_expert"))
    assert len(_result(api_client, staff, a)["experts"]) == experts + 1

    services.assignment_submit(assignment, by=assignment.expert)
    statuses = {e["username"]: e["status"] for e in _result(api_client, staff, a)["experts"]}
    assert statuses["cache_expert"] == "submitted"


def test_a_change_to_the_assessment_row_outside_the_services_is_read_at_once(api_client, staff, scored):
    a, _assignment = scored
    _result(api_client, staff, a)

    Assessment.objects.filter(pk=a.pk).update(pass_line=90)  # e.g. the admin's change form

    assert _result(api_client, staff, a)["pass_line"] in ("90.00", 90, "90")
