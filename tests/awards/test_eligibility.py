"""Submission and the formal check: the appraisal prerequisite (第二十五条), the attachments (第二十六条),
the 第二十八条 checklist, the re-application rules (第二十九条) and the two bans (第三十三条: withdrawal
during notice, two years; 第四十条: false data, one year), with the dates at their edges."""

import datetime as dt

import pytest

from alliance.exceptions import BusinessRuleError, NotPermitted
from awards import services
from awards.enums import ApplicationStatus as S
from awards.enums import BanReason, Category, Grade, RevocationReason
from awards.enums import FormalCheckResult as R
from awards.models import Ban, FormalCheck, IneligibilityItem
from tests.awards.factories import ApplicationFactory, RoundFactory, applicant, ready_draft


def _answers(**applying):
    answers = dict.fromkeys(IneligibilityItem.objects.values_list("code", flat=True), False)
    answers.update(applying)
    return answers


def _submitted(**kwargs):
    application = ready_draft(**kwargs)
    services.application_submit(application, user=application.applicant, on=application.round.application_deadline)
    return application


# ---- submission -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submission_by_the_deadline_day_accepted_day_after_refused():
    application = ready_draft()
    deadline = application.round.application_deadline
    with pytest.raises(BusinessRuleError) as caught:
        services.application_submit(application, user=application.applicant, on=deadline + dt.timedelta(days=1))
    assert caught.value.code == "deadline"
    services.application_submit(application, user=application.applicant, on=deadline)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


@pytest.mark.django_db
def test_only_the_applicant_submits():
    application = ready_draft()
    with pytest.raises(NotPermitted):
        services.application_submit(application, user=applicant(), on=application.round.application_deadline)


@pytest.mark.django_db
@pytest.mark.parametrize("category", [Category.INVENTION, Category.PROGRESS, Category.PUBLIC_WELFARE])
def test_no_appraisal_certificate_refused(category):
    application = ready_draft(category=category, appraisal_certificate_no="", appraisal_date=None)
    with pytest.raises(BusinessRuleError) as caught:
        services.application_submit(application, user=application.applicant, on=application.round.application_deadline)
    assert caught.value.code == "appraisal"


@pytest.mark.django_db
def test_basic_research_may_rest_on_expert_opinions():
    # 第二十六条（一）4: 鉴定证书或三名以上同行专家独立评议意见 — the attachment carries either.
    application = ready_draft(
        category=Category.BASIC_RESEARCH, requested_grade=Grade.THIRD, appraisal_certificate_no="", appraisal_date=None
    )
    services.application_submit(application, user=application.applicant, on=application.round.application_deadline)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("category", "missing"),
    [
        (Category.BASIC_RESEARCH, "citation_report"),
        (Category.INVENTION, "patent"),
        (Category.PROGRESS, "economic_benefit"),
        (Category.PUBLIC_WELFARE, "novelty_search"),
    ],
)
def test_missing_required_attachment_refused_by_name(category, missing):
    application = ready_draft(category=category, requested_grade=Grade.THIRD)
    removed = application.attachments.get(kind=missing)
    removed.delete()
    with pytest.raises(BusinessRuleError) as caught:
        services.application_submit(application, user=application.applicant, on=application.round.application_deadline)
    assert caught.value.code == "attachments"
    from awards.models import AttachmentRequirement

    assert AttachmentRequirement.objects.get(category=category, code=missing).name in caught.value.message


@pytest.mark.django_db
def test_other_evidence_is_optional():
    application = ready_draft()
    assert not application.attachments.filter(kind="other").exists()
    assert services.missing_attachments(application) == []


# ---- the formal check -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pass_needs_every_checklist_item_and_the_paper_copies(staff_user):
    application = _submitted()
    with pytest.raises(BusinessRuleError) as caught:
        services.formal_check(application, by=staff_user, result=R.PASS, answers={"out_of_scope": False})
    assert caught.value.field == "answers"
    with pytest.raises(BusinessRuleError) as caught:
        services.formal_check(application, by=staff_user, result=R.PASS, answers=_answers())
    assert caught.value.field == "paper_sets"
    services.paper_copies_receive(application, by=staff_user, sets=3, original=True, on=dt.date(2024, 7, 1))

    services.formal_check(application, by=staff_user, result=R.PASS, answers=_answers())

    application.refresh_from_db()
    assert application.status == S.PEER_REVIEW


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["out_of_scope", "ip_disputed", "no_evaluation", "already_awarded",
                                  "content_mismatch", "under_one_year", "special_approval_missing"])  # fmt: skip
def test_each_ineligibility_item_blocks_the_pass_and_rejects(staff_user, code):
    application = _submitted()
    services.paper_copies_receive(application, by=staff_user, sets=3, original=True, on=dt.date(2024, 7, 1))
    item = IneligibilityItem.objects.get(code=code)
    with pytest.raises(BusinessRuleError) as caught:
        services.formal_check(application, by=staff_user, result=R.PASS, answers=_answers(**{code: True}))
    assert item.name in caught.value.message

    services.formal_check(application, by=staff_user, result=R.REJECT, answers=_answers(**{code: True}))

    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert FormalCheck.objects.get(application=application).answers[code] is True


@pytest.mark.django_db
def test_correction_resubmitted_by_its_deadline_then_still_not_conforming(staff_user):
    application = _submitted()
    deadline = dt.date(2024, 7, 15)
    services.formal_check(
        application, by=staff_user, result=R.CORRECTION, deadline=deadline, notes="补充检测报告", on=dt.date(2024, 7, 1)
    )
    application.refresh_from_db()
    assert (application.status, application.correction_deadline) == (S.CORRECTION_REQUESTED, deadline)
    with pytest.raises(BusinessRuleError):
        services.application_submit(application, user=application.applicant, on=deadline + dt.timedelta(days=1))
    services.application_submit(application, user=application.applicant, on=deadline)

    # 在规定时间内补正仍不符合要求的，不提交评审.
    services.formal_check(application, by=staff_user, result=R.CORRECTION, notes="仍缺检测报告", on=deadline)

    application.refresh_from_db()
    assert application.status == S.NOT_REVIEWED
    assert application.formal_checks.last().result == R.NOT_CONFORMING


@pytest.mark.django_db
def test_overdue_corrections_closed_the_day_after_the_deadline(staff_user):
    application = _submitted()
    deadline = dt.date(2024, 7, 15)
    services.formal_check(
        application, by=staff_user, result=R.CORRECTION, deadline=deadline, notes="补充材料", on=dt.date(2024, 7, 1)
    )
    assert services.close_overdue_corrections(deadline) == []
    assert services.close_overdue_corrections(deadline + dt.timedelta(days=1)) == [application]
    assert services.close_overdue_corrections(deadline + dt.timedelta(days=2)) == []  # idempotent
    application.refresh_from_db()
    assert application.status == S.NOT_REVIEWED


@pytest.mark.django_db
def test_correction_needs_a_deadline_after_today(staff_user):
    application = _submitted()
    with pytest.raises(BusinessRuleError):
        services.formal_check(application, by=staff_user, result=R.CORRECTION, notes="补充", on=dt.date(2024, 7, 1))
    with pytest.raises(BusinessRuleError):
        services.formal_check(
            application, by=staff_user, result=R.CORRECTION, deadline=dt.date(2024, 7, 1), notes="补充",
            on=dt.date(2024, 7, 1),
        )  # fmt: skip


@pytest.mark.django_db
def test_only_the_office_checks():
    application = _submitted()
    with pytest.raises(NotPermitted):
        services.formal_check(application, by=application.applicant, result=R.REJECT, notes="x")


# ---- bans -------------------------------------------------------------------------------------------


def _application_in(year, unit_user):
    return ready_draft(round=RoundFactory(year=year), applicant=unit_user)


@pytest.mark.django_db
def test_withdrawal_during_notice_bans_the_unit_two_years():
    user = applicant()
    withdrawn = ApplicationFactory(round=RoundFactory(year=2024), applicant=user, status=S.PUBLIC_NOTICE)
    services.withdraw(withdrawn, user=user, reason="单位决定退出评审。")
    ban = Ban.objects.get(application=withdrawn)
    assert (ban.reason, ban.first_year, ban.last_year, ban.organisation) == (
        BanReason.WITHDRAWN_DURING_NOTICE, 2025, 2026, user.profile.organisation
    )  # fmt: skip

    for year in (2025, 2026):
        application = _application_in(year, user)
        with pytest.raises(BusinessRuleError) as caught:
            services.application_submit(application, user=user, on=application.round.application_deadline)
        assert caught.value.code == "ban"
        assert "2025" in caught.value.message and "2026" in caught.value.message
    application = _application_in(2027, user)
    services.application_submit(application, user=user, on=application.round.application_deadline)
    assert application.history.last().to_status == S.SUBMITTED


@pytest.mark.django_db
def test_withdrawal_before_committee_review_carries_no_ban():
    application = ApplicationFactory(status=S.COMMITTEE_REVIEW)
    services.withdraw(application, user=application.applicant, reason="撤出当年评审。")
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert not Ban.objects.exists()


@pytest.mark.django_db
def test_withdrawal_refused_once_the_committee_scored():
    from tests.awards.factories import committee

    application = ApplicationFactory(status=S.COMMITTEE_REVIEW)
    members = committee(application.round, 9)
    services.committee_score(application, user=members[2].user, score=80, grade=Grade.SECOND)
    with pytest.raises(BusinessRuleError):
        services.withdraw(application, user=application.applicant, reason="撤出。")


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.SUBMITTED, S.PEER_REVIEW, S.LEADERSHIP_APPROVAL, S.AWARDED])
def test_withdrawal_refused_in_other_states(status):
    application = ApplicationFactory(status=status)
    with pytest.raises(BusinessRuleError):
        services.withdraw(application, user=application.applicant, reason="撤出。")


@pytest.mark.django_db
def test_false_data_ban_one_year(staff_user):
    user = applicant()
    awarded = ApplicationFactory(
        round=RoundFactory(year=2022), applicant=user, status=S.AWARDED, final_grade=Grade.THIRD
    )
    services.revoke(
        awarded,
        by=staff_user,
        reason=RevocationReason.FALSE_DATA,
        details="检测报告系伪造。",
        on=dt.date(2024, 3, 1),
        ban=True,
    )
    ban = Ban.objects.get()
    assert (ban.reason, ban.first_year, ban.last_year) == (BanReason.FALSE_DATA, 2025, 2025)

    application = _application_in(2025, user)
    with pytest.raises(BusinessRuleError) as caught:
        services.application_submit(application, user=user, on=application.round.application_deadline)
    assert caught.value.code == "ban"
    application = _application_in(2026, user)
    services.application_submit(application, user=user, on=application.round.application_deadline)


@pytest.mark.django_db
def test_revoked_without_ban_does_not_bar(staff_user):
    awarded = ApplicationFactory(status=S.AWARDED, final_grade=Grade.THIRD)
    services.revoke(
        awarded, by=staff_user, reason=RevocationReason.PLAGIARISM, details="剽窃。", on=dt.date(2024, 3, 1)
    )
    awarded.refresh_from_db()
    assert awarded.status == S.REVOKED and awarded.revocation.reason == RevocationReason.PLAGIARISM
    assert not Ban.objects.exists()
    with pytest.raises(BusinessRuleError):
        services.revoke(awarded, by=staff_user, reason=RevocationReason.PLAGIARISM, details="再次。")


# ---- re-application (第二十九条) ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_not_awarded_project_reapplies_with_new_progress():
    user = applicant()
    earlier = ApplicationFactory(round=RoundFactory(year=2023), applicant=user, status=S.NOT_AWARDED)
    application = ready_draft(round=RoundFactory(year=2024), applicant=user, previous=earlier)
    with pytest.raises(BusinessRuleError) as caught:
        services.application_submit(application, user=user, on=application.round.application_deadline)
    assert caught.value.field == "new_progress"
    application.new_progress = "新增两项发明专利，完成工业化应用。"
    application.save()
    services.application_submit(application, user=user, on=application.round.application_deadline)


@pytest.mark.django_db
@pytest.mark.parametrize(("year", "grade", "accepted"), [
    (2025, Grade.FIRST, False),  # awarded 2024: one year is not two
    (2026, Grade.FIRST, True),  # two full years
    (2026, Grade.SECOND, False),  # not a higher grade
    (2026, Grade.THIRD, False),
])  # fmt: skip
def test_awarded_project_reapplies_after_two_years_for_a_higher_grade(staff_user, year, grade, accepted):
    user = applicant()
    earlier = ApplicationFactory(
        round=RoundFactory(year=2024), applicant=user, status=S.AWARDED, final_grade=Grade.SECOND
    )
    application = ready_draft(round=RoundFactory(year=year), applicant=user, previous=earlier, requested_grade=grade)
    if not accepted:
        with pytest.raises(BusinessRuleError) as caught:
            services.application_submit(application, user=user, on=application.round.application_deadline)
        assert caught.value.code == "reapplication"
        return
    services.application_submit(application, user=user, on=application.round.application_deadline)
    # 直接提交综合评审委员会评审: the formal check passes it straight to the committee.
    services.paper_copies_receive(application, by=staff_user, sets=3, original=True, on=dt.date(year, 7, 1))
    services.formal_check(application, by=staff_user, result=R.PASS, answers=_answers())
    application.refresh_from_db()
    assert application.status == S.COMMITTEE_REVIEW


@pytest.mark.django_db
def test_reapplication_while_the_earlier_is_open_refused():
    user = applicant()
    earlier = ApplicationFactory(round=RoundFactory(year=2023), applicant=user, status=S.PEER_REVIEW)
    application = ready_draft(round=RoundFactory(year=2024), applicant=user, previous=earlier, new_progress="进展")
    with pytest.raises(BusinessRuleError):
        services.application_submit(application, user=user, on=application.round.application_deadline)
