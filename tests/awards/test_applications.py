"""The form (第二十四、二十七条): drafts by a unit or a citizen, the team, attachments, who may change what."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import AuditEntry, Organisation
from awards import services
from awards.enums import ApplicationStatus as S
from awards.enums import BanReason, Category, Grade
from awards.models import Ban
from tests.awards.factories import ApplicationFactory, RoundFactory, applicant, attach_required, png_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "title": "低品位石墨高效提纯技术",
    "category": Category.INVENTION,
    "requested_grade": Grade.SECOND,
    "appraisal_certificate_no": "中非矿鉴字〔2023〕第088号",
    "appraisal_date": dt.date(2023, 9, 1),
}


def test_unit_application_lists_its_units_from_the_registry():
    user = applicant()
    application = services.application_create(
        RoundFactory(),
        user=user,
        contributors=[{"name": "王强", "unit": "某大学"}, "李娜"],
        units=[user.profile.organisation.name, {"name": "中国非金属矿工业协会测试中心"}],
        **FORM,
    )
    assert application.organisation == user.profile.organisation
    assert [c.name for c in application.contributors.all()] == ["王强", "李娜"]
    assert [u.organisation.name for u in application.units.all()] == [
        user.profile.organisation.name,
        "中国非金属矿工业协会测试中心",
    ]
    assert Organisation.objects.filter(name="中国非金属矿工业协会测试中心").exists()
    assert AuditEntry.objects.filter(action="awards.application.created").count() == 1


def test_unit_is_the_first_completing_unit_by_default_and_must_lead():
    user = applicant()
    application = services.application_create(RoundFactory(), user=user, contributors=["王强"], **FORM)
    assert [u.organisation for u in application.units.all()] == [user.profile.organisation]

    services.application_update(application, user=user, units=["另一合作单位有限公司", user.profile.organisation])
    attach_required(application)
    with pytest.raises(BusinessRuleError) as caught:
        services.application_submit(application, user=user, on=application.round.application_deadline)
    assert caught.value.field == "units"


def test_citizen_application_and_ban_by_person():
    user = UserFactory(roles=["applicant"])
    application = services.application_create(
        RoundFactory(year=2024), user=user, citizen=True, contributors=["王强"], **FORM
    )
    assert application.organisation is None
    application.status = S.PUBLIC_NOTICE
    application.save()
    services.withdraw(application, user=user, reason="个人申请退出。")
    ban = Ban.objects.get()
    assert (ban.user, ban.organisation, ban.reason) == (user, None, BanReason.WITHDRAWN_DURING_NOTICE)

    later = services.application_create(RoundFactory(year=2025), user=user, citizen=True, contributors=["王强"], **FORM)
    attach_required(later)
    with pytest.raises(BusinessRuleError) as caught:
        services.application_submit(later, user=user, on=later.round.application_deadline)
    assert caught.value.code == "ban"


def test_account_without_a_unit_must_apply_as_a_citizen():
    with pytest.raises(NotPermitted):
        services.application_create(RoundFactory(), user=UserFactory(roles=["applicant"]), **FORM)


def test_only_applicant_role_creates():
    with pytest.raises(NotPermitted):
        services.application_create(RoundFactory(), user=UserFactory(roles=["expert"]), citizen=True, **FORM)


@pytest.mark.parametrize(("field", "value"), [("title", ""), ("category", "mining"), ("requested_grade", "fourth")])
def test_bad_form_values_refused(field, value):
    with pytest.raises(BusinessRuleError) as caught:
        services.application_create(RoundFactory(), user=applicant(), **{**FORM, field: value})
    assert caught.value.field == field


def test_applicant_changes_only_a_draft_or_correction():
    application = ApplicationFactory(status=S.SUBMITTED)
    with pytest.raises(BusinessRuleError):
        services.application_update(application, user=application.applicant, title="新名称")
    with pytest.raises(NotPermitted):
        services.application_update(ApplicationFactory(), user=applicant(), title="他人的项目")


def test_attachment_kind_and_file_type_checked():
    application = ApplicationFactory(category=Category.INVENTION)
    user = application.applicant
    with pytest.raises(BusinessRuleError) as caught:
        services.attachment_add(application, user=user, kind="citation_report", file=png_upload())
    assert caught.value.field == "kind"
    with pytest.raises(BusinessRuleError) as caught:
        services.attachment_add(application, user=user, kind="patent", file=SimpleUploadedFile("专利.exe", b"MZ"))
    assert caught.value.field == "file"
    attachment = services.attachment_add(application, user=user, kind="patent", file=png_upload("专利证书.png"))
    assert attachment.file.name.startswith(f"awards/{application.round.year}/{application.pk}/")
