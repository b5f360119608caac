"""第四条 one liaison per unit, held by the database; 第六条 a change is a handover with its history."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from alliance.roles import has_role
from liaisons import selectors, services
from liaisons.models import Handover, Liaison
from tests.factories import UserFactory
from tests.liaisons.factories import LiaisonFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db

FORM = {"name": "王敏", "mobile": "13912345678", "email": "wangmin@example.com"}


def test_a_second_active_liaison_is_refused_by_the_database_on_a_raw_insert():
    current = LiaisonFactory()
    table = Liaison._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, name, gender, ethnicity, photo, thumbnail, political_status,"
            " education, title, position, email, office_phone, mobile, wechat, postcode, recommendation,"
            " filing, is_active, started_on, created_at)"
            " VALUES (%s, '李四', '', '', '', '', '', '', '', '', 'l@example.com', '', '13800000000', '', '',"
            " '', '', %s, %s, %s)",
            [current.organisation_id, True, dt.date(2025, 1, 1), dt.datetime(2025, 1, 1, tzinfo=dt.UTC)],
        )
    assert Liaison.objects.filter(organisation=current.organisation_id, is_active=True).count() == 1


def test_an_ended_liaison_and_an_active_one_may_share_a_unit_in_the_database():
    current = LiaisonFactory()
    Liaison.objects.filter(pk=current.pk).update(is_active=False, ended_on=dt.date(2025, 1, 1))
    LiaisonFactory(organisation=current.organisation)
    assert Liaison.objects.filter(organisation=current.organisation_id).count() == 2


def test_an_active_liaison_cannot_carry_an_end_date():
    current = LiaisonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Liaison.objects.filter(pk=current.pk).update(ended_on=dt.date(2025, 1, 1))


def test_registering_a_new_liaison_hands_over_and_keeps_the_history(staff_user):
    old = LiaisonFactory(started_on=dt.date(2023, 3, 1))
    successor = UserFactory()

    new = services.liaison_register(
        old.organisation,
        actor=staff_user,
        username=successor.username,
        on=dt.date(2025, 6, 1),
        notes="档案与微信群移交",
        **FORM,
    )

    old.refresh_from_db()
    assert (old.is_active, old.ended_on) == (False, dt.date(2025, 6, 1))
    assert new.is_active and new.started_on == dt.date(2025, 6, 1)
    handover = Handover.objects.get(organisation=old.organisation)
    assert (handover.from_liaison, handover.to_liaison, handover.notes) == (old, new, "档案与微信群移交")
    assert list(Liaison.objects.filter(organisation=old.organisation).order_by("started_on")) == [old, new]
    assert AuditEntry.objects.filter(action="liaisons.liaison.handover", object_id=str(handover.pk)).exists()


def test_the_predecessor_loses_the_liaison_role_and_the_unit(staff_user):
    old = LiaisonFactory()
    predecessor = old.user
    assert selectors.units_for(predecessor).get() == old.organisation

    services.liaison_register(old.organisation, actor=staff_user, on=dt.date(2025, 6, 1), **FORM)

    predecessor.refresh_from_db()
    predecessor._role_names = None
    assert not has_role(predecessor, "liaison")
    assert selectors.current_liaison_of(predecessor) is None
    assert not selectors.units_for(predecessor).exists()


def test_the_successor_account_gets_the_role_and_sees_only_its_unit(staff_user):
    old = LiaisonFactory()
    other_unit = MemberUnitFactory()
    successor = UserFactory()

    services.liaison_register(old.organisation, actor=staff_user, username=successor.username, **FORM)

    assert has_role(successor, "liaison")
    assert list(selectors.units_for(successor)) == [old.organisation]
    assert other_unit not in selectors.units_for(successor)


def test_a_handover_dated_before_the_current_liaison_started_is_refused(staff_user):
    old = LiaisonFactory(started_on=dt.date(2025, 3, 1))
    with pytest.raises(BusinessRuleError) as error:
        services.liaison_register(old.organisation, actor=staff_user, on=dt.date(2025, 2, 1), **FORM)
    assert error.value.field == "on"
    old.refresh_from_db()
    assert old.is_active


def test_an_account_cannot_be_the_liaison_of_two_units(staff_user):
    first = LiaisonFactory()
    other = MemberUnitFactory()
    with pytest.raises(BusinessRuleError) as error:
        services.liaison_register(other, actor=staff_user, username=first.user.username, **FORM)
    assert error.value.field == "username"
    assert not other.liaisons.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("mobile", "1391234567"), ("mobile", "23912345678"), ("email", "not-an-email"), ("name", "  ")],
)
def test_a_registration_with_a_bad_field_names_it_and_writes_nothing(staff_user, field, value):
    unit = MemberUnitFactory()
    with pytest.raises(BusinessRuleError) as error:
        services.liaison_register(unit, actor=staff_user, **{**FORM, field: value})
    assert error.value.field == field
    assert not unit.liaisons.exists()


def test_attendance_taken_back_is_audited_and_leaves_the_assessment(staff_user):
    liaison = LiaisonFactory()
    meeting = services.gathering_create(kind="meeting", title="年度会议", held_on=dt.date(2025, 4, 1), actor=staff_user)
    services.attendance_record(meeting, [liaison], actor=staff_user)

    assert services.attendance_remove(meeting, [liaison], actor=staff_user) == 1

    assert not meeting.attendance.exists()
    assert AuditEntry.objects.filter(action="liaisons.gathering.attendance_removed", object_id=str(meeting.pk)).exists()
    assert selectors.assessment(2025)[0].meetings == 0
