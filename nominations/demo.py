"""Demo data: an open campaign with nominations in several fields from two units, an applicant login
and an expert login (passwords printed once), some scores (idempotent)."""

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliance.services import user_create

from . import services
from .enums import CRITERION_CODES, Field, ProjectType
from .models import Campaign

APPLICANT_LOGIN = "tuijian"
SECOND_APPLICANT_LOGIN = "tuijian2"
EXPERT_LOGIN = "chuping"
UNITS = ("演示·中国地质科学院矿产综合利用研究所", "演示·长沙矿冶研究院有限责任公司")
EXPERT_UNIT = "演示·北京科技大学"

COMMON = {
    "contact": "刘洋",
    "phone": "010-68999603",
    "address": "北京市西城区百万庄大街26号",
    "email": "liuyang@example.com",
    "ip": "授权发明专利6项，软件著作权2项",
    "awards": "中国有色金属工业科学技术奖一等奖1项",
    "recommender_opinion": "经本单位审核，材料真实，同意推荐。",
}
NOMINATIONS = [
    # (unit index, name, field, type, TRL, industries, team, level, benefits)
    (0, "低品位稀土资源绿色高效提取技术", Field.RESOURCES_ENVIRONMENT, ProjectType.DEVELOPMENT, 7, ["0932", "3232"],
     "团队由资源综合利用、冶金和环境工程方向的研究人员组成，长期从事稀土资源开发利用研究。",
     "实现了低品位稀土资源的高效浸出与分离，回收率提高10个百分点以上，达到国际先进水平。",
     "已在两家企业建成示范线，年新增产值约2亿元，减少废水排放30%。"),
    (0, "矿山尾矿制备高性能建材技术", Field.MATERIALS, ProjectType.APPLIED, 6, ["3021", "3039"],
     "团队长期从事尾矿资源化利用研究，拥有完整的中试平台。",
     "以尾矿为主要原料制备高性能建筑材料，尾矿掺量超过70%。",
     "可大幅减少尾矿堆存，市场前景广阔。"),
    (1, "智能化选矿装备及控制系统", Field.EQUIPMENT, ProjectType.DEVELOPMENT, 8, ["3511", "6531"],
     "团队由选矿工艺、自动控制和机械设计人员组成。",
     "实现了选矿全流程智能控制，关键装备国产化。",
     "已在十余座选矿厂应用，平均节能15%。"),
    (1, "矿区重金属污染土壤修复技术", Field.RESOURCES_ENVIRONMENT, ProjectType.APPLIED, 6, ["7726"],
     "团队长期从事矿区生态修复研究。",
     "提出重金属稳定化与植物修复联合工艺。",
     "修复成本较传统方法降低40%。"),
]  # fmt: skip


def _account(username, name, roles, organisation, stdout):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        stdout.write(f"nominations demo: {username} exists already (password printed when made)")
        return user
    password = secrets.token_urlsafe(10)
    user = user_create(username=username, password=password, name=name, roles=roles, organisation=organisation)
    stdout.write(f"nominations demo: {username} / {password}  ({name}, {organisation})")
    return user


@transaction.atomic
def seed(stdout):
    today = timezone.localdate()
    if Campaign.objects.filter(year=today.year).exists():
        stdout.write(
            f"nominations demo: the {today.year} campaign exists already "
            f"(logins {APPLICANT_LOGIN}, {SECOND_APPLICANT_LOGIN}, {EXPERT_LOGIN})"
        )
        return
    staff = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    # Deadlines from today, so the demo can be filled in and scored now; the seed's own are the defaults.
    campaign = services.campaign_create(
        year=today.year,
        title=f"{today.year}年“科创中国”先导技术榜单（演示）",
        recommendation_deadline=today + dt.timedelta(days=14),
        preliminary_deadline=today + dt.timedelta(days=24),
        final_review_deadline=today + dt.timedelta(days=40),
        publication_date=today + dt.timedelta(days=55),
        actor=staff,
    )
    applicants = [
        _account(APPLICANT_LOGIN, "刘洋", ["applicant"], UNITS[0], stdout),
        _account(SECOND_APPLICANT_LOGIN, "陈静", ["applicant"], UNITS[1], stdout),
    ]
    reviewer = _account(EXPERT_LOGIN, "周明", ["expert"], EXPERT_UNIT, stdout)
    submitted = []
    for index, name, field, kind, trl, codes, team, level, benefits in NOMINATIONS:
        user = applicants[index]
        nomination = services.nomination_create(
            campaign,
            user=user,
            name=name,
            field=field,
            project_type=kind,
            trl=trl,
            industries=codes,
            team_intro=team,
            tech_level=level,
            benefits=benefits,
            pledge_accepted=True,
            **COMMON,
        )
        if name != NOMINATIONS[1][1]:  # one stays a draft
            submitted.append(services.nomination_submit(nomination, user=user))
    for field in (Field.RESOURCES_ENVIRONMENT, Field.EQUIPMENT):
        services.expert_assign(campaign, field=field, username=reviewer.username, actor=staff)
    services.evaluation_save(
        submitted[0],
        expert=reviewer,
        scores=dict(zip(CRITERION_CODES, (9, 8, 8, 7, 8, 9), strict=True)),
    )
    stdout.write(
        f"nominations demo: the {today.year} campaign with {len(NOMINATIONS)} nominations from {len(UNITS)} units "
        f"({len(submitted)} submitted); expert {EXPERT_LOGIN} scores 资源环境 and 装备制造"
    )
