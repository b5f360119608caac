"""Demo data: this year's award round with its bodies, applications at several stages (a draft, one in
formal check, one in peer review, one on public notice open for objections), logins printed once
(idempotent: a second run only says the round exists)."""

import datetime as dt
import io
import secrets

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from alliance.services import user_create

from . import services
from .enums import Category, CommitteeRole, FormalCheckResult, Grade
from .models import AttachmentRequirement, IneligibilityItem, Round

OFFICE_LOGIN = "jiangliban"
APPLICANT_LOGIN = "shenbao"
SECOND_APPLICANT_LOGIN = "shenbao2"
REVIEWER_LOGIN = "hanshen"
COMMITTEE_CHAIR_LOGIN = "pingwei"
LEADER_LOGIN = "lingdao"
UNITS = ("演示·中国建筑材料工业地质勘查中心", "演示·非金属矿深加工研究院有限公司")
APPLICATIONS = [
    # (unit index, title, category, requested grade, stage)
    (0, "高纯石英砂提纯关键技术及产业化", Category.PROGRESS, Grade.FIRST, "notice"),
    (1, "超细重质碳酸钙表面改性技术", Category.INVENTION, Grade.SECOND, "peer_review"),
    (0, "膨润土矿物功能材料制备方法", Category.INVENTION, Grade.THIRD, "submitted"),
    (1, "非金属矿山生态修复技术规范", Category.PUBLIC_WELFARE, Grade.THIRD, "draft"),
]


def _account(username, name, roles, organisation, stdout, **extra):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    password = secrets.token_urlsafe(10)
    user = user_create(username=username, password=password, name=name, roles=roles, organisation=organisation)
    for field, value in extra.items():
        setattr(user, field, value)
    if extra:
        user.save(update_fields=list(extra))
    stdout.write(f"awards demo: {username} / {password}  ({name}, {organisation or '—'})")
    return user


def _evidence(name):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 200, 190)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@transaction.atomic
def seed(stdout):
    today = timezone.localdate()
    if Round.objects.filter(year=today.year).exists():
        stdout.write(
            f"awards demo: the {today.year} round exists already (logins {OFFICE_LOGIN}, {APPLICANT_LOGIN}, "
            f"{REVIEWER_LOGIN}, {COMMITTEE_CHAIR_LOGIN}, {LEADER_LOGIN})"
        )
        return
    office = _account(OFFICE_LOGIN, "周敏", ["secretariat"], None, stdout, is_staff=True)
    round_ = services.round_create(
        year=today.year,
        title=f"{today.year}年度中国非金属矿科学技术奖（演示）",
        application_deadline=today + dt.timedelta(days=30),
        by=office,
    )
    leaders = [_account(LEADER_LOGIN, "王会长", ["leadership"], None, stdout)] + [
        _account(f"{LEADER_LOGIN}{i}", f"领导小组成员{i}", ["leadership"], None, stdout) for i in range(2, 6)
    ]
    for index, leader in enumerate(leaders):
        services.leadership_add(round_, user=leader, by=office, is_chair=index == 0)
    members = [_account(COMMITTEE_CHAIR_LOGIN, "李主任", ["committee"], "演示·中国地质大学（北京）", stdout)] + [
        _account(f"{COMMITTEE_CHAIR_LOGIN}{i}", f"评委{i}", ["committee"], f"演示·评委单位{i}", stdout)
        for i in range(2, 10)
    ]
    for index, user in enumerate(members):
        role = CommitteeRole.CHAIR if index == 0 else CommitteeRole.VICE_CHAIR if index == 1 else CommitteeRole.MEMBER
        services.committee_add(round_, user=user, role=role, by=office)
        services.pledge_accept(round_, user=user)
    services.committee_confirm(round_, by=office)
    reviewers = [_account(REVIEWER_LOGIN, "赵专家", ["expert"], "演示·武汉理工大学", stdout)] + [
        _account(f"{REVIEWER_LOGIN}{i}", f"函审专家{i}", ["expert"], f"演示·函审单位{i}", stdout) for i in (2, 3)
    ]
    for reviewer in reviewers:
        services.reviewer_add(user=reviewer, specialties="矿物加工、矿物材料", by=office)
    for reviewer in reviewers[1:]:  # the first signs the pledge in the demo
        services.pledge_accept(round_, user=reviewer)
    applicants = [
        _account(APPLICANT_LOGIN, "刘洋", ["applicant"], UNITS[0], stdout),
        _account(SECOND_APPLICANT_LOGIN, "陈静", ["applicant"], UNITS[1], stdout),
    ]
    answers = dict.fromkeys(IneligibilityItem.objects.values_list("code", flat=True), False)
    for unit_index, title, category, grade, stage in APPLICATIONS:
        user = applicants[unit_index]
        application = services.application_create(
            round_,
            user=user,
            title=title,
            category=category,
            requested_grade=grade,
            summary="项目围绕非金属矿资源高效利用开展研究，形成了成套技术并实现产业化应用。",
            appraisal_certificate_no=f"中非矿鉴字〔{today.year - 1}〕第0{unit_index + 1}号",
            appraisal_date=today - dt.timedelta(days=400),
            contributors=[{"name": n} for n in ("张伟", "王芳", "李强")],
        )
        for req in AttachmentRequirement.objects.filter(category=category, required=True):
            services.attachment_add(application, user=user, kind=req.code, file=_evidence(f"{req.name[:20]}.png"))
        if stage == "draft":
            continue
        services.application_submit(application, user=user)
        if stage == "submitted":
            continue
        services.paper_copies_receive(application, by=office, sets=3, original=True)
        services.formal_check(application, by=office, result=FormalCheckResult.PASS, answers=answers)
        if stage == "notice":
            for reviewer in reviewers[1:]:
                services.peer_assign(application, reviewer=reviewer, by=office)
                services.peer_review_submit(
                    application, reviewer=reviewer, agree=True, comments="创新性突出，同意授奖。"
                )
            services.pledge_accept(round_, user=reviewers[0])
            services.peer_assign(application, reviewer=reviewers[0], by=office)
            services.peer_review_submit(application, reviewer=reviewers[0], agree=True, comments="同意。")
            services.peer_tally(application, by=office)
            for member in members:
                services.committee_score(application, user=member, score=88, grade=Grade.FIRST)
        else:
            for reviewer in reviewers[1:]:
                services.peer_assign(application, reviewer=reviewer, by=office)
            services.peer_review_submit(application, reviewer=reviewers[1], agree=True, comments="同意提交评委会。")
    services.committee_conclude(round_, by=office)
    services.leadership_approve(round_, by=leaders[0])
    notice = services.notice_start(round_, starts_on=today, by=office)
    stdout.write(
        f"awards demo: the {today.year} round with {len(APPLICATIONS)} applications (a draft, one in formal check, "
        f"one in peer review, one on public notice); objections accepted until {notice.objections_until}"
    )
