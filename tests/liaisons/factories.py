"""Factories of the liaison programme: member units, liaisons with accounts, duties."""

import datetime as dt

import factory

from liaisons.enums import Association
from liaisons.models import Liaison, Membership
from tests.factories import OrganisationFactory, UserFactory


class MemberUnitFactory(OrganisationFactory):
    class Meta:
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"会员煤业{n:03d}有限责任公司")
    nature = "soe_provincial"
    address = "西安市和平路1号"
    postcode = "710001"

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Membership.objects.get_or_create(organisation=self, association=extracted or Association.ASSOCIATION)


class LiaisonFactory(factory.django.DjangoModelFactory):
    """An active liaison with a login account holding the `liaison` role (pass user=None for none)."""

    class Meta:
        model = Liaison

    organisation = factory.SubFactory(MemberUnitFactory)
    user = factory.SubFactory(UserFactory, roles=["liaison"])
    name = factory.Sequence(lambda n: f"联络员{n:03d}")
    gender = "male"
    email = factory.Sequence(lambda n: f"liaison{n:03d}@example.com")
    mobile = factory.Sequence(lambda n: f"186{n:08d}")
    started_on = dt.date(2024, 1, 1)


def programme_rows(staff):
    """One row of every liaison-programme model, built through the services, by admin label."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from liaisons import services
    from liaisons.models import MemberUnit

    first = LiaisonFactory(started_on=dt.date(2024, 1, 1), user=UserFactory(username="lianluo", roles=["liaison"]))
    unit = first.organisation
    picture = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(picture, "JPEG")
    liaison = services.liaison_register(
        unit,
        actor=staff,
        on=dt.date(2025, 3, 1),
        name="王敏",
        mobile="13912345678",
        email="wangmin@example.com",
        resume=[{"start": "2010-07", "description": "某煤矿 技术员"}],
        photo=SimpleUploadedFile("photo.jpg", picture.getvalue(), content_type="image/jpeg"),
    )
    membership = unit.memberships.get()
    fee = services.fee_record(membership, year=2025, paid_on=dt.date(2025, 5, 10), actor=staff)
    article = services.article_submit(liaison, title="矿区复垦经验")
    feedback = services.feedback_raise(liaison, subject="会费标准", body="建议公布会费标准。")
    request = services.unit_change_request(liaison, name=f"{unit.name}（更名）", reason="工商变更")
    gathering = services.gathering_create(
        kind="meeting", title="年度联络员会议", held_on=dt.date(2025, 4, 1), actor=staff
    )
    services.attendance_record(gathering, [liaison], actor=staff)
    notice = services.notice_send(subject="关于召开联络员会议的通知", body="请准时参加。", actor=staff)
    return {
        "liaisons.memberunit": MemberUnit.objects.get(pk=unit.pk),
        "liaisons.membership": membership,
        "liaisons.feepayment": fee,
        "liaisons.liaison": liaison,
        "liaisons.resumeentry": liaison.resume.first(),
        "liaisons.handover": liaison.taken_over.get(),
        "liaisons.unitchangerequest": request,
        "liaisons.article": article,
        "liaisons.feedback": feedback,
        "liaisons.gathering": gathering,
        "liaisons.attendance": gathering.attendance.get(),
        "liaisons.notice": notice,
        "liaisons.noticedelivery": notice.deliveries.first(),
    }
