"""Demo data: a few specialists in different states with ledger entries, and one demo login (idempotent)."""

import datetime as dt
import secrets

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliance.services import user_create

from . import documents, services
from .enums import SpecialistStatus as S
from .models import Committee, Specialist

DEMO_USER = "zhang"
LIAISON_USER = "sc_liaison"


def _specialist(name, username, *, applied, email, organisation, staff, icebreaker=None, activities=()):
    specialist = services.specialist_create(
        name=name, email=email, applied_on=applied, organisation=organisation, created_by=staff
    )
    if username:
        specialist.user.username = username
        specialist.user.save(update_fields=["username"])
    services.specialist_approve(specialist, on=applied + dt.timedelta(days=7), actor=staff)
    if icebreaker:
        services.icebreaker_record(specialist, on=icebreaker, actor=staff)
    for rule, on, extra in activities:
        services.activity_record(specialist, rule=rule, occurred_on=on, actor=staff, **extra)
    specialist.refresh_from_db()
    return specialist


def _end_probation(specialist, to_status, rule):
    specialist.refresh_from_db()
    services.specialist_set_status(
        specialist,
        to_status,
        as_of=specialist.probation_ends,
        rule=rule,
        evidence={"demo": True},
        roster_without_icebreaker=(to_status == S.ROSTER),
    )


@transaction.atomic
def seed(stdout):
    User = get_user_model()
    if User.objects.filter(username=DEMO_USER).exists():
        stdout.write(f"specialist demo: {DEMO_USER} exists already (password printed when made)")
        return
    today = timezone.localdate()
    liaison = User.objects.filter(username=LIAISON_USER).first() or user_create(
        username=LIAISON_USER,
        password=secrets.token_urlsafe(12),
        name="刘联络（专员综合服务中心）",
        email="liaison@alliance.example",
        roles=["service_centre"],
    )
    # Staff decisions (approvals) are made by the demo superuser, else by the service centre's liaison.
    staff = User.objects.filter(is_superuser=True).order_by("pk").first() or liaison
    mining = Committee.objects.filter(code="mining").first()

    # 张伟明: general specialist with a year of activity, a redemption and his certificates.
    started = today - relativedelta(months=11)
    zhang = _specialist(
        "张伟明",
        DEMO_USER,
        applied=started,
        email="zhang.weiming@example.com",
        organisation="中国地质科学院矿产综合利用研究所",
        staff=staff,
        icebreaker=started + dt.timedelta(days=20),
        activities=[
            ("knowledge_contest", started + dt.timedelta(days=15), {}),
            ("books", started + dt.timedelta(days=40), {"quantity": 12}),
            ("attend_training", started + relativedelta(months=2), {}),
            ("recommend_appraisal", started + relativedelta(months=4), {}),
            ("sponsorship", started + relativedelta(months=6), {"amount": "3000"}),
            ("conference_speaker", started + relativedelta(months=8), {}),
            ("ordinary_share", today - dt.timedelta(days=40), {"quantity": 6}),
            ("targeted_push", today - dt.timedelta(days=12), {"quantity": 2}),
        ],
    )
    _end_probation(zhang, S.GENERAL, "probation_passed_icebreaker")
    Specialist.objects.filter(pk=zhang.pk).update(committee=mining)
    services.liaison_assign(zhang, liaison, on=started + dt.timedelta(days=8), actor=staff, reason="演示")
    services.redemption_create(zhang, reward="office_gift", idempotency_key="demo-office-gift", actor=zhang.user)
    documents.documents_issue(zhang, actor=staff, on=today)

    # 李娜: passed probation without an icebreaker → roster; must attend one within 6 months.
    li_started = today - relativedelta(months=5)
    li = _specialist(
        "李娜",
        None,
        applied=li_started,
        email="li.na@example.com",
        organisation="北京科技大学",
        staff=staff,
        activities=[("ordinary_share", li_started + dt.timedelta(days=20), {"quantity": 12})],
    )
    _end_probation(li, S.ROSTER, "probation_passed_no_icebreaker")

    # 王强: on probation since last month.
    _specialist(
        "王强",
        None,
        applied=today - relativedelta(months=1),
        email="wang.qiang@example.com",
        organisation="中煤科工集团",
        staff=staff,
        activities=[("knowledge_contest", today - dt.timedelta(days=10), {})],
    )
    for specialist in (li,):
        services.liaison_assign(specialist, liaison, on=today - dt.timedelta(days=30), actor=staff, reason="演示")

    password = secrets.token_urlsafe(10)
    zhang.user.set_password(password)
    zhang.user.save(update_fields=["password"])
    stdout.write(f"specialist demo: {DEMO_USER} / {password}  (see /me/points/)")
