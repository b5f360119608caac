"""Demo data: member units with liaisons (two with logins), a handover, duties of 2025 (idempotent)."""

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from alliance.models import Organisation
from alliance.services import user_create

from . import services

LOGIN = "lianluo"
SECOND_LOGIN = "lianluo2"
UNITS = [
    # (name, nature, address, postcode, association, level, liaison name, mobile, login)
    ("演示·陕西秦岭煤业有限责任公司", "soe_provincial", "西安市雁塔区科技路48号", "710065", "association", "director",
     "李红梅", "13991234501", LOGIN),
    ("演示·榆林北方能源集团有限公司", "private", "榆林市榆阳区长城北路9号", "719000", "association", "member",
     "赵建国", "13991234502", SECOND_LOGIN),
    ("演示·铜川矿业技术研究院", "public_institution", "铜川市新区正阳路2号", "727031", "society", "standing_director",
     "孙文", "13991234503", None),
    ("演示·彬长矿区工程有限公司", "soe_municipal", "咸阳市彬州市东大街6号", "713500", "association", "member",
     "周涛", "13991234504", None),
]  # fmt: skip


def _account(username, name, stdout):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        stdout.write(f"liaison demo: {username} exists already (password printed when made)")
        return username
    password = secrets.token_urlsafe(10)
    user_create(username=username, password=password, name=name)
    stdout.write(f"liaison demo: {username} / {password}  ({name}, /liaisons/me/)")
    return username


@transaction.atomic
def seed(stdout):
    if Organisation.objects.filter(name=UNITS[0][0]).exists():
        stdout.write(f"liaison demo: units exist already (liaison logins {LOGIN}, {SECOND_LOGIN})")
        return
    staff = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    liaisons = []
    for name, nature, address, postcode, association, level, person, mobile, login in UNITS:
        unit = services.unit_register(
            name=name, nature=nature, address=address, postcode=postcode, association=association, level=level,
            actor=staff,
        )  # fmt: skip
        if login:
            _account(login, person, stdout)
        liaison = services.liaison_register(
            unit,
            actor=staff,
            username=login,
            on=dt.date(2024, 3, 1),
            name=person,
            gender="female" if person in ("李红梅",) else "male",
            ethnicity="汉族",
            political_status="中共党员",
            education="大学本科",
            title="工程师",
            position="综合办公室主任",
            email=f"{mobile}@example.com",
            office_phone="029-87654321",
            mobile=mobile,
            wechat=f"wx{mobile[-4:]}",
            postcode=postcode,
            recommendation="同意推荐。",
            recommended_on=dt.date(2024, 2, 20),
            filing="已备案。",
            filed_on=dt.date(2024, 3, 1),
            resume=[
                {"start": "2008-07", "end": "2015-06", "description": f"{name} 技术员"},
                {"start": "2015-07", "description": f"{name} 综合办公室主任"},
            ],
        )
        liaisons.append(liaison)
        services.fee_record(
            unit.memberships.get(), year=2025, paid_on=dt.date(2025, 5, 20 if login else 8), actor=staff
        )
    # 第六条: the fourth unit changed its liaison in 2025; 周涛 handed over to 吴磊.
    liaisons[3] = services.liaison_register(
        liaisons[3].organisation,
        actor=staff,
        on=dt.date(2025, 9, 1),
        notes="会员档案、微信群管理权限已移交。",
        name="吴磊",
        mobile="13991234505",
        email="wulei@example.com",
    )
    first, second, third, _fourth = liaisons
    meeting = services.gathering_create(
        kind="meeting", title="2025年度会员单位联络员会议", held_on=dt.date(2025, 4, 18), place="西安", actor=staff,
        agenda="通报全省行业经济运行情况\n研究协会、学会年度重要工作筹备方案\n交流工作经验",
    )  # fmt: skip
    services.attendance_record(meeting, [first, second], actor=staff)
    training = services.gathering_create(
        kind="training", title="信息报送与写作培训班", held_on=dt.date(2025, 7, 10), place="铜川", actor=staff
    )
    services.attendance_record(training, [first], actor=staff)
    adopted = services.article_submit(first, title="秦岭煤业智能化工作面投运", on=dt.date(2025, 5, 6))
    services.article_decide(adopted, adopted=True, actor=staff)
    services.article_submit(first, title="矿区生态修复见成效", on=dt.date(2025, 8, 12))
    services.article_submit(second, title="北方能源开展安全生产月活动", on=dt.date(2025, 6, 3))
    feedback = services.feedback_raise(first, subject="关于会费票据的问题", body="希望协会开具电子票据，便于报销。")
    services.feedback_answer(feedback, answer="自2026年起统一开具电子票据。", actor=staff)
    services.fee_confirm_handling(first.organisation.memberships.get().fees.get(year=2025), liaison=first)
    stdout.write(
        f"liaison demo: {len(UNITS)} member units; {third.name} of {third.organisation.name} did nothing in 2025 "
        "(the assessment flags them)"
    )
