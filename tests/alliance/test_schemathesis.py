"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in-process WSGI).

Every operation of `/api/schema/` is called with generated input, valid and invalid, as three users:
the secretariat (staff), a specialist and a green-mine expert.  Each response must be no server error
(`not_a_server_error`), have a documented status code (`status_code_conformance`) and a body that
matches the documented schema (`response_schema_conformance`).

Example budget: the fuzzing phase draws at most 15 examples per operation and user
(`max_examples=15`, derandomized so a run is repeatable; the explicit-examples phase adds the schema's
own examples, the coverage and stateful phases are off).  34 operations × 3 users ≈ 1,500 requests,
about a minute on 2 cores.

Path parameters are mapped onto the objects of a small fixture world (specialists with ledger
entries, an assessment being scored with its expert assigned, evidence, a site visit) so that most
calls reach a real object; one value in a few stays as generated and tests the 404 path.
"""

import datetime as dt

import hypothesis
import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from alliance.wsgi import application
from greenmine import services as gm_services
from greenmine.models import Evidence, Indicator
from specialists import services as sp_services
from specialists.enums import SpecialistStatus as S
from tests.factories import UserFactory
from tests.greenmine import factories as gm
from tests.specialists.factories import SpecialistFactory

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"deterministic": True, "max-examples": 15},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)

# (a failing operation owned by another piece of work would be excluded here, with the reason)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
ROLES = ["staff", "specialist", "expert"]


@pytest.fixture
def _keep_connection():
    """The WSGI handler closes the database connection after each request; inside a test that would
    close the test's transaction (Django's test client disconnects the same signals)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, _keep_connection):
    """A small, realistic portal: who can call, and the objects path parameters point at."""
    staff = UserFactory(username="sec-staff", roles=["secretariat"], is_staff=True)
    alice = SpecialistFactory(user__username="alice", name="王爱丽")
    bob = SpecialistFactory(user__username="bob", name="李博")
    applicant = SpecialistFactory(user__username="carol", status=S.APPLICANT)
    pending = SpecialistFactory(user__username="dave", status=S.EXIT_PENDING)
    for specialist, books in ((alice, 300), (bob, 40)):
        sp_services.activity_record(
            specialist, rule="books", quantity=books, occurred_on=dt.date(2024, 3, 1), actor=staff
        )
    sp_services.activity_record(
        alice, rule="sponsorship", amount="2500.00", occurred_on=dt.date(2024, 4, 1), actor=staff
    )

    expert = gm.expert("expert-e", "张专家")
    scoring = gm.assessment(staff, mine_name="示范石灰石矿")
    gm.assign(scoring, staff, expert)
    gm.pass_prerequisites(scoring, staff)
    draft = gm.assessment(staff, mine_name="草稿金矿", variant="general", mining_method="underground")
    gm.assign(draft, staff, expert)
    indicator = Indicator.objects.get(version_id=scoring.catalogue_id, number=1)
    evidence = Evidence(
        assessment=scoring, indicator=indicator, original_name="证明.pdf", size=len(gm.PDF_BYTES), uploaded_by=staff
    )
    evidence.file.save("proof.pdf", ContentFile(gm.PDF_BYTES), save=False)
    evidence.save()
    gm_services.site_visit_record(
        scoring,
        visited_on=dt.date(2024, 5, 6),
        visitors="秘书处",
        location="采场",
        observations="边坡稳定",
        numbers=[1],
        by=staff,
    )
    return {
        "tokens": {
            "staff": Token.objects.create(user=staff).key,
            "specialist": Token.objects.create(user=alice.user).key,
            "expert": Token.objects.create(user=expert).key,
        },
        "specialists": [alice.pk, bob.pk, applicant.pk, pending.pk],
        "assessments": [scoring.pk, draft.pk],
        "evidence": [evidence.pk],
    }


def _point_at_world(case, world):
    """Map generated ids onto real objects: most calls then reach one, the rest test the 404 path."""
    for name, value in list((case.path_parameters or {}).items()):
        if not isinstance(value, int):
            continue
        if name == "evidence_id":
            ids = world["evidence"]
        elif "/greenmine/" in case.path:
            ids = world["assessments"]
        else:
            ids = world["specialists"]
        slot = value % (len(ids) + 1)
        if slot < len(ids):
            case.path_parameters[name] = ids[slot]


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@hypothesis.settings(
    database=None,  # derandomized: nothing to replay, and no .hypothesis/ directory in the tree
    deadline=None,
    derandomize=True,
    max_examples=15,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api_conforms_to_its_schema(case, role, world):
    _point_at_world(case, world)
    case.call_and_validate(headers={"Authorization": f"Token {world['tokens'][role]}"}, checks=CHECKS)
