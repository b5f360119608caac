"""Every legal and every illegal move of the one state machine (awards.services.ALLOWED)."""

import pytest
from django.utils import translation

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from awards.enums import ApplicationStatus as S
from awards.models import StatusChange
from awards.services import ALLOWED, application_set_status
from tests.awards.factories import ApplicationFactory

LEGAL = sorted((old, new) for old, targets in ALLOWED.items() for new in targets)
ILLEGAL = sorted((old, new) for old in S.values for new in S.values if new not in ALLOWED[S(old)])


def test_table_covers_every_state():
    assert set(ALLOWED) == set(S)
    assert len(LEGAL) + len(ILLEGAL) == len(S) ** 2


def test_terminal_states_lead_nowhere():
    assert [s for s in S if not ALLOWED[s]] == [S.NOT_REVIEWED, S.REJECTED, S.NOT_AWARDED, S.WITHDRAWN, S.REVOKED]


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), LEGAL)
def test_legal_move_records_history_and_audit(old, new, staff_user):
    application = ApplicationFactory(status=old)

    application_set_status(application, new, by=staff_user, note="按规定办理")

    application.refresh_from_db()
    assert application.status == new
    change = StatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.by, change.note) == (old, new, staff_user, "按规定办理")
    entry = AuditEntry.objects.get(action="awards.application.status", object_id=str(application.pk))
    assert entry.data == {"from": old, "to": new, "note": "按规定办理"}
    assert entry.actor == staff_user


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_illegal_move_refused_naming_both_states(old, new, staff_user):
    application = ApplicationFactory(status=old)

    with translation.override("en"):
        with pytest.raises(BusinessRuleError) as caught:
            application_set_status(application, new, by=staff_user)
        assert f"“{S(old).label}”" in caught.value.message
        assert f"“{S(new).label}”" in caught.value.message
    assert caught.value.field == "status"
    application.refresh_from_db()
    assert application.status == old
    assert not StatusChange.objects.filter(application=application).exists()
