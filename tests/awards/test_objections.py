"""第三十四、三十五、三十七条: the 20-day window (the first day not counted), what an objection needs,
and the rest of the notice to the award."""

import datetime as dt

import pytest

from alliance.exceptions import BusinessRuleError
from awards import services
from awards.enums import ApplicationStatus as S
from awards.enums import Grade, ObjectionStatus
from awards.enums import ObjectionKind as K
from awards.models import LeadershipMember, Objection
from tests.awards.factories import ApplicationFactory, UserFactory, png_upload

STARTS = dt.date(2024, 10, 8)


@pytest.fixture
def on_notice(staff_user):
    application = ApplicationFactory(
        status=S.LEADERSHIP_APPROVAL, proposed_grade=Grade.SECOND, requested_grade=Grade.SECOND
    )
    leader = UserFactory(roles=["leadership"])
    LeadershipMember.objects.create(round=application.round, user=leader, is_chair=True)
    services.leadership_approve(application.round, by=leader)
    services.notice_start(application.round, starts_on=STARTS, by=staff_user)
    application.refresh_from_db()
    application.leader = leader
    return application


def _file(application, **overrides):
    values = {
        "kind": K.SUBSTANTIVE,
        "name": "张三",
        "phone": "13900000000",
        "statement": "该项目主要技术指标与实际不符。",
        "evidence": png_upload(),
        "on": STARTS,
        **overrides,
    }
    return services.objection_file(application, **values)


def test_objections_until_is_twenty_days_after_the_start():
    assert services.objections_until(STARTS) == dt.date(2024, 10, 28)


@pytest.mark.django_db
def test_notice_puts_approved_applications_on_notice(on_notice):
    assert on_notice.status == S.PUBLIC_NOTICE
    assert on_notice.final_grade == Grade.SECOND
    assert on_notice.round.notice.objections_until == dt.date(2024, 10, 28)


@pytest.mark.django_db
def test_day_20_accepted_day_21_refused(on_notice):
    objection = _file(on_notice, on=STARTS + dt.timedelta(days=20))
    assert objection.received_on == dt.date(2024, 10, 28)

    with pytest.raises(BusinessRuleError) as caught:
        _file(on_notice, on=STARTS + dt.timedelta(days=21))
    assert caught.value.code == "late"
    assert "2024-10-28" in caught.value.message
    assert Objection.objects.count() == 1


@pytest.mark.django_db
def test_first_day_accepted_day_before_refused(on_notice):
    _file(on_notice, on=STARTS)
    with pytest.raises(BusinessRuleError):
        _file(on_notice, on=STARTS - dt.timedelta(days=1))


@pytest.mark.django_db
def test_grade_dispute_refused(on_notice):
    with pytest.raises(BusinessRuleError) as caught:
        _file(on_notice, kind=K.GRADE)
    assert caught.value.code == "grade"
    assert "第三十四条" in caught.value.message
    assert not Objection.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("name", ""), ("name", "   "), ("evidence", None), ("phone", ""),
                                              ("statement", "")])  # fmt: skip
def test_missing_name_evidence_contact_or_statement_refused(on_notice, field, value):
    with pytest.raises(BusinessRuleError) as caught:
        _file(on_notice, **{field: value})
    assert caught.value.field == field
    assert not Objection.objects.exists()


@pytest.mark.django_db
def test_evidence_checked_for_type(on_notice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(BusinessRuleError) as caught:
        _file(on_notice, evidence=SimpleUploadedFile("证据.exe", b"MZ\x90\x00"))
    assert caught.value.field == "evidence"


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.COMMITTEE_REVIEW, S.LEADERSHIP_APPROVAL, S.AWARDED])
def test_application_not_on_notice_refused(status):
    application = ApplicationFactory(status=status)
    with pytest.raises(BusinessRuleError) as caught:
        _file(application)
    assert caught.value.code == "not_on_notice"


@pytest.mark.django_db
def test_notice_closes_after_the_last_day_and_the_award_follows(on_notice, staff_user):
    with pytest.raises(BusinessRuleError):
        services.notice_close(on_notice.round, by=staff_user, as_of=dt.date(2024, 10, 28))
    services.notice_close(on_notice.round, by=staff_user, as_of=dt.date(2024, 10, 29))
    on_notice.refresh_from_db()
    assert on_notice.status == S.FINAL_APPROVAL

    services.final_approve(on_notice.round, by=on_notice.leader)
    on_notice.refresh_from_db()
    assert (on_notice.status, on_notice.final_grade) == (S.AWARDED, Grade.SECOND)


@pytest.mark.django_db
def test_unanswered_substantive_objection_loses_the_award(on_notice, staff_user):
    # 第三十七条: 应在接到实质性异议通知后的规定时间内……做出有效说明，否则撤销当年授奖资格.
    objection = _file(on_notice, on=dt.date(2024, 10, 10))
    services.objection_verify(objection, by=staff_user, answer_deadline=dt.date(2024, 10, 25))
    with pytest.raises(BusinessRuleError):
        services.objection_answer(objection, user=on_notice.applicant, answer="说明。", on=dt.date(2024, 10, 26))

    services.notice_close(on_notice.round, by=staff_user, as_of=dt.date(2024, 10, 29))

    on_notice.refresh_from_db()
    assert on_notice.status == S.NOT_AWARDED


@pytest.mark.django_db
def test_answered_objection_waits_for_the_leadership_groups_decision(on_notice, staff_user):
    objection = _file(on_notice, on=dt.date(2024, 10, 10))
    services.objection_verify(objection, by=staff_user, answer_deadline=dt.date(2024, 10, 25))
    services.objection_answer(
        objection, user=on_notice.applicant, answer="已提交检测报告原件。", on=dt.date(2024, 10, 25)
    )
    with pytest.raises(BusinessRuleError):
        services.notice_close(on_notice.round, by=staff_user, as_of=dt.date(2024, 10, 29))

    services.objection_decide(objection, by=on_notice.leader, upheld=False, decision="异议不成立。")
    services.notice_close(on_notice.round, by=staff_user, as_of=dt.date(2024, 10, 29))
    on_notice.refresh_from_db()
    assert on_notice.status == S.FINAL_APPROVAL
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED


@pytest.mark.django_db
def test_upheld_objection_means_no_award(on_notice, staff_user):
    objection = _file(on_notice, kind=K.NON_SUBSTANTIVE)
    services.objection_verify(objection, by=staff_user)
    services.objection_decide(objection, by=on_notice.leader, upheld=True, decision="完成单位排序不实。")
    on_notice.refresh_from_db()
    assert on_notice.status == S.NOT_AWARDED
