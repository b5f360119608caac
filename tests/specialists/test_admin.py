import datetime as dt
import io

import pytest
from django.contrib import messages
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from alliance.models import AuditEntry
from alliance.roles import Role
from specialists import services
from specialists.enums import SpecialistStatus as S
from specialists.lifecycle import lifecycle_run
from specialists.models import (
    Activity,
    Committee,
    CommitteeMembership,
    ContactLog,
    ExcellentNomination,
    LedgerEntry,
    LifecycleRun,
    Meeting,
    Motion,
    Redemption,
    Specialist,
    StatusChange,
)
from tests.factories import UserFactory

from .factories import ActivityFactory, SpecialistFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "programmesettings",
    "committee",
    "specialist",
    "committeemembership",
    "liaisonassignment",
    "liaisonchangerequest",
    "contactlog",
    "activity",
    "attendance",
    "pointrule",
    "reward",
    "redemption",
    "transfer",
    "ledgerentry",
    "lifecyclerun",
    "statuschange",
    "meeting",
    "motion",
    "excellentnomination",
    "documentrequest",
]


@pytest.fixture
def populated(credit, recorder):
    alice = SpecialistFactory(name="王爱丽", user__username="alice")
    bob = SpecialistFactory(name="李博", status=S.ROSTER)
    credit(alice, 300)
    services.redemption_create(alice, reward="office_gift", idempotency_key="g")
    services.transfer_create(alice, recipient=bob, points=10, idempotency_key="t")
    services.icebreaker_record(alice, on=dt.date(2024, 2, 1))
    services.liaison_assign(alice, recorder, on=dt.date(2024, 1, 3), actor=recorder)
    services.contact_record(alice, staff=recorder, on=dt.date(2024, 2, 3), channel="phone")
    services.liaison_change_request_create(alice, reason="联系不上")
    services.document_request_create(alice, kind="appointment", address="北京")
    meeting = Meeting.objects.create(kind="committee", title="专员委员会会议", held_on=dt.date(2024, 3, 1))
    Motion.objects.create(meeting=meeting, kind="exit", title="退出表决", subject=bob)
    services.excellent_nominate(alice, year=2024, reason="宣传推广", actor=recorder)
    lifecycle_run(as_of=dt.date(2024, 1, 5))
    CommitteeMembership.objects.create(
        specialist=alice, committee=Committee.objects.first(), started_on=dt.date(2024, 1, 9)
    )
    services.specialist_set_status(bob, S.EXIT_PENDING, as_of=dt.date(2024, 5, 1), rule="roster_inactive_3_months")
    services.specialist_set_status(bob, S.ROSTER, as_of=dt.date(2024, 5, 2), actor=recorder)
    return {"alice": alice, "bob": bob}


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_and_add_render(staff_client, populated, model):
    changelist = staff_client.get(reverse(f"admin:specialists_{model}_changelist"))
    add = staff_client.get(reverse(f"admin:specialists_{model}_add"))

    assert changelist.status_code == 200
    assert add.status_code in (200, 403)


@pytest.mark.parametrize("model", MODELS)
def test_admin_change_page_renders(staff_client, populated, model):
    from django.apps import apps

    obj = apps.get_model("specialists", model).objects.first()

    response = staff_client.get(reverse(f"admin:specialists_{model}_change", args=[obj.pk]))

    assert response.status_code == 200


def test_admin_changelist_search_and_filters(staff_client, populated):
    response = staff_client.get(
        reverse("admin:specialists_specialist_changelist"), {"q": "王爱丽", "status__exact": "general"}
    )

    assert response.status_code == 200
    assert "王爱丽" in response.content.decode()
    assert "李博" not in response.content.decode()


def test_admin_contact_overdue_filter(staff_client, populated):
    response = staff_client.get(reverse("admin:specialists_specialist_changelist"), {"contact": "overdue"})

    content = response.content.decode()
    assert "李博" in content  # never contacted
    assert "王爱丽" in content  # last contact 2024-02-03, long ago


def test_admin_service_centre_user_sees_the_specialists(client, populated):
    user = UserFactory(username="centre2", roles=["service_centre"], is_staff=True)
    client.force_login(user)

    assert client.get(reverse("admin:specialists_specialist_changelist")).status_code == 200


def test_admin_specialist_user_is_kept_out(client, populated):
    client.force_login(populated["alice"].user)

    response = client.get(reverse("admin:specialists_ledgerentry_changelist"))

    assert response.status_code == 302


def test_admin_ledger_entries_cannot_be_changed_or_deleted(staff_client, populated):
    entry = LedgerEntry.objects.first()

    response = staff_client.post(reverse("admin:specialists_ledgerentry_delete", args=[entry.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_admin_add_ledger_entry_records_an_activity(staff_client, populated, staff_user):
    alice = populated["alice"]
    from specialists.models import PointRule

    response = staff_client.post(
        reverse("admin:specialists_ledgerentry_add"),
        {
            "specialist": alice.pk,
            "rule": PointRule.objects.get(code="sponsorship").pk,
            "amount": "550",
            "occurred_on": "2024-03-01",
        },
    )

    assert response.status_code == 302
    entry = LedgerEntry.objects.filter(specialist=alice, rule__code="sponsorship").get()
    assert (entry.points, entry.recorded_by) == (5, staff_user)


def test_admin_add_ledger_entry_bad_input_is_a_form_error(staff_client, populated):
    from specialists.models import PointRule

    response = staff_client.post(
        reverse("admin:specialists_ledgerentry_add"),
        {
            "specialist": populated["alice"].pk,
            "rule": PointRule.objects.get(code="sponsorship").pk,
            "occurred_on": "2024-03-01",
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["amount"]
    assert not LedgerEntry.objects.filter(rule__code="sponsorship").exists()


def test_admin_add_ledger_entry_shows_every_refusal_at_once(staff_client, populated):
    from specialists.models import PointRule

    gone = SpecialistFactory(status=S.EXITED)

    response = staff_client.post(
        reverse("admin:specialists_ledgerentry_add"),
        {
            "specialist": gone.pk,
            "rule": PointRule.objects.get(code="sponsorship").pk,
            "occurred_on": "2999-01-01",
        },
    )

    assert response.status_code == 200
    assert sorted(response.context["adminform"].form.errors) == ["amount", "occurred_on", "specialist"]
    assert not LedgerEntry.objects.filter(specialist=gone).exists()


def test_admin_reverse_action_needs_a_reason_and_reverses(staff_client, populated):
    entry = LedgerEntry.objects.get(specialist=populated["alice"], kind="activity")
    url = reverse("admin:specialists_ledgerentry_changelist")

    staff_client.post(url, {"action": "reverse_entries", "_selected_action": [entry.pk], "reason": ""})
    assert not LedgerEntry.objects.filter(reverses=entry).exists()

    staff_client.post(url, {"action": "reverse_entries", "_selected_action": [entry.pk], "reason": "录入错误"})
    # 300 earned, 20 + 10 spent: reversing 300 would go negative, so it is refused
    assert not LedgerEntry.objects.filter(reverses=entry).exists()


def test_admin_reverse_action_reverses_an_unspent_entry(staff_client, populated, credit):
    alice = populated["alice"]
    extra = credit(alice, 5)
    url = reverse("admin:specialists_ledgerentry_changelist")

    staff_client.post(url, {"action": "reverse_entries", "_selected_action": [extra.pk], "reason": "录入错误"})

    reversal = LedgerEntry.objects.get(reverses=extra)
    assert (reversal.kind, reversal.points, reversal.description) == ("correction", -5, "录入错误")
    assert Specialist.objects.get(pk=alice.pk).balance == 270


def test_admin_redemption_cancel_asks_for_confirmation_and_a_reason_first(staff_client, populated):
    redemption = Redemption.objects.get()
    url = reverse("admin:specialists_redemption_changelist")

    page = staff_client.post(url, {"action": "cancel", "_selected_action": [redemption.pk]})
    redemption.refresh_from_db()
    assert redemption.status == "pending"  # nothing happens on the first click
    html = page.content.decode()
    assert "取消兑换并退还积分" in html and f"共退还 {redemption.points} 积分" in html
    no_reason = staff_client.post(url, {"action": "cancel", "_selected_action": [redemption.pk], "confirmed": "1"})
    assert no_reason.status_code == 200 and no_reason.context["form"].errors["reason"]
    redemption.refresh_from_db()
    assert redemption.status == "pending"

    staff_client.post(
        url, {"action": "cancel", "_selected_action": [redemption.pk], "confirmed": "1", "reason": "专员改兑其他礼品"}
    )

    redemption.refresh_from_db()
    assert redemption.status == "cancelled"
    assert Specialist.objects.get(pk=populated["alice"].pk).balance == 290
    entry = AuditEntry.objects.get(action="specialist.redemption_cancelled")
    assert entry.data["reason"] == "专员改兑其他礼品" and entry.actor is not None


def test_admin_run_now_previews_then_runs(staff_client, populated):
    Specialist.objects.filter(pk=populated["bob"].pk).update(status_since=dt.date(2023, 1, 1))
    url = reverse("admin:specialists_lifecyclerun_run")

    preview = staff_client.get(url, {"as_of": "2024-06-01"})
    assert "李博" in preview.content.decode()
    assert Specialist.objects.get(pk=populated["bob"].pk).status == S.ROSTER

    seen = len(preview.context["changes"])  # the confirmation carries the number the preview showed
    response = staff_client.post(url, {"as_of": "2024-06-01", "confirm": "1", "expected": str(seen)})

    assert response.status_code == 302
    assert Specialist.objects.get(pk=populated["bob"].pk).status == S.EXIT_PENDING
    assert LifecycleRun.objects.filter(as_of=dt.date(2024, 6, 1), source="admin").count() == 1


def test_admin_exit_decision_needs_the_vote(staff_client, populated):
    bob = populated["bob"]
    Specialist.objects.filter(pk=bob.pk).update(status=S.EXIT_PENDING)
    url = reverse("admin:specialists_specialist_confirm_exit", args=[bob.pk])

    page = staff_client.get(url)
    refused = staff_client.post(url, {"outcome": "exit", "on": "2024-11-02", "decision": ""})

    assert page.status_code == 200
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    assert Specialist.objects.get(pk=bob.pk).status == S.EXIT_PENDING

    accepted = staff_client.post(url, {"outcome": "exit", "on": "2024-11-02", "decision": "2024-11-01 会议表决通过"})

    assert accepted.status_code == 302
    assert Specialist.objects.get(pk=bob.pk).status == S.EXITED
    bob.refresh_from_db()
    assert (bob.exited_on, bob.exit_decision) == (dt.date(2024, 11, 2), "2024-11-01 会议表决通过")


def _workbook(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["用户名", "规则代码", "日期", "数量", "金额", "级别", "说明"])
    for row in rows:
        ws.append(row)
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    data.name = "activities.xlsx"
    return data


def _import(client, capture, workbook):
    """Upload through the admin page; the job runs (in-process) and its page is returned."""
    with capture(execute=True):
        response = client.post(reverse("admin:specialists_ledgerentry_import"), {"file": workbook})
    assert response.status_code == 302
    assert response["Location"].startswith("/imports/")
    return client.get(response["Location"])


def test_admin_import_is_all_or_nothing_with_row_errors(staff_client, populated, django_capture_on_commit_callbacks):
    before = LedgerEntry.objects.count()
    bad = _workbook(
        [
            ["alice", "knowledge_contest", "2024-03-01", None, None, None, None],
            ["nobody", "books", "2024-03-01", 2, None, None, None],
            ["alice", "sponsorship", "2024-03-01", None, None, None, None],
            ["alice", "recommend_member", "2024-03-01", 1, None, "president", None],
        ]
    )

    page = _import(staff_client, django_capture_on_commit_callbacks, bad)

    content = page.content.decode()
    assert page.status_code == 200
    assert LedgerEntry.objects.count() == before
    assert "没有这个用户。" in content
    assert "“赞助”按金额（元）计分，请填写金额。" in content
    assert content.count('class="import-error"') == 3


def test_admin_import_records_every_row(staff_client, populated, django_capture_on_commit_callbacks):
    good = _workbook(
        [
            ["alice", "knowledge_contest", "2024-03-01", None, None, None, "知识竞赛"],
            ["alice", "membership_fee", "2024-03-02", None, 1000, None, None],
            ["alice", "recommend_member", "2024-03-03", 1, None, "standing_director", None],
        ]
    )

    page = _import(staff_client, django_capture_on_commit_callbacks, good)

    assert "已记录 3 条活动" in page.content.decode()
    points = list(
        LedgerEntry.objects.filter(occurred_on__gte=dt.date(2024, 3, 1), kind="activity")
        .order_by("occurred_on")
        .values_list("points", flat=True)
    )
    assert points == [3, 10, 15]


def _run_export(client, exporter, capture):
    with capture(execute=True):
        started = client.post("/exports/start/", {"exporter": exporter})
    job_url = started["Location"]
    download = client.get(job_url + "download/")
    assert download.status_code == 200, job_url
    return list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)


def test_admin_exports_roster_and_ledger_as_background_jobs(
    staff_client, populated, django_capture_on_commit_callbacks
):
    changelists = [
        reverse("admin:specialists_specialist_changelist"),
        reverse("admin:specialists_ledgerentry_changelist"),
    ]
    for url, exporter in zip(changelists, ["specialists.roster", "specialists.ledger"], strict=True):
        assert f'name="exporter" value="{exporter}"' in staff_client.get(url).content.decode()

    roster_rows = _run_export(staff_client, "specialists.roster", django_capture_on_commit_callbacks)
    ledger_rows = _run_export(staff_client, "specialists.ledger", django_capture_on_commit_callbacks)

    assert roster_rows[0][:5] == ("ID", "姓名", "用户名", "单位", "状态")
    assert {row[1] for row in roster_rows[1:]} == {"王爱丽", "李博"}
    assert sorted(row[10] for row in ledger_rows[1:]) == [-20, -10, 10, 300]


def test_admin_committee_summary_ranks_committees(staff_client, populated, recorder):
    mining, smart = Committee.objects.get(code="mining"), Committee.objects.get(code="smart_mine")
    event = ActivityFactory(committee=smart, held_on=dt.date(2024, 5, 10))
    ActivityFactory(committee=mining, held_on=dt.date(2024, 5, 12))
    services.attendance_record(populated["alice"], event, actor=recorder)
    services.attendance_record(populated["bob"], event, actor=recorder)

    response = staff_client.get(reverse("admin:specialists_committee_summary"), {"month": "2024-05"})

    summary = response.context["summary"]
    assert [(r["rank"], r["committee"].code, r["attendances"]) for r in summary[:2]] == [
        (1, "smart_mine", 2),
        (2, "mining", 0),
    ]


def test_admin_membership_cap_is_one_third_of_general(staff_client, populated):
    carol = SpecialistFactory(name="陈卡")  # general: alice and carol; alice already sits on a committee
    url = reverse("admin:specialists_committeemembership_add")
    body = {
        "specialist": carol.pk,
        "committee": Committee.objects.last().pk,
        "role": "member",
        "started_on": "2024-03-01",
    }

    refused = staff_client.post(url, body)  # 2 general specialists: at most 0 members

    assert refused.status_code == 200
    assert "one third" in refused.content.decode() or "三分之一" in refused.content.decode()
    [error] = refused.context["adminform"].form.non_field_errors()
    assert error == "专委会委员人数不得超过一般特别专员总数 2 人的三分之一（即 0 人）。"
    assert not CommitteeMembership.objects.filter(specialist=carol).exists()

    for _ in range(4):
        SpecialistFactory()
    accepted = staff_client.post(url, body)  # 6 general: at most 2 members

    assert accepted.status_code == 302
    assert CommitteeMembership.objects.count() == 2


def test_admin_contact_log_records_the_staff_member(staff_client, populated, staff_user):
    response = staff_client.post(
        reverse("admin:specialists_contactlog_add"),
        {"specialist": populated["bob"].pk, "contacted_on": "2024-03-01", "channel": "wechat", "notes": "回访"},
    )

    assert response.status_code == 302
    assert ContactLog.objects.get(specialist=populated["bob"]).staff == staff_user


def test_admin_activity_attendance_inline_uses_the_service(staff_client, populated):
    activity = Activity.objects.create(kind="icebreaker", title="破冰", held_on=dt.date(2024, 4, 1))

    staff_client.post(
        reverse("admin:specialists_activity_change", args=[activity.pk]),
        {
            "title": "破冰",
            "kind": "icebreaker",
            "held_on": "2024-04-01",
            "notes": "",
            "attendances-TOTAL_FORMS": "1",
            "attendances-INITIAL_FORMS": "0",
            "attendances-0-specialist": populated["bob"].pk,
        },
    )

    attendance = activity.attendances.get()
    assert (attendance.is_icebreaker, attendance.held_on) == (True, dt.date(2024, 4, 1))


def test_admin_specialist_add_starts_as_applicant(staff_client, staff_user):
    user = UserFactory(username="newbie")

    response = staff_client.post(
        reverse("admin:specialists_specialist_add"),
        {
            "user": user.pk,
            "name": "新人",
            "email": "",
            "phone": "",
            "applied_on": "2024-05-01",
            "committee": "",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    specialist = Specialist.objects.get(user=user)
    assert (specialist.status, specialist.status_since) == (S.APPLICANT, dt.date(2024, 5, 1))
    assert StatusChange.objects.filter(specialist=specialist, to_status=S.APPLICANT).exists()
    assert user.groups.filter(name=Role.SPECIALIST).exists()
    assert AuditEntry.objects.filter(
        action="specialist.created", object_id=str(specialist.pk), actor=staff_user
    ).exists()


def test_admin_voluntary_exit_action_needs_a_note(staff_client, populated):
    alice = populated["alice"]
    url = reverse("admin:specialists_specialist_changelist")

    staff_client.post(url, {"action": "voluntary_exit", "_selected_action": [alice.pk], "note": ""})
    assert Specialist.objects.get(pk=alice.pk).status == S.GENERAL

    staff_client.post(url, {"action": "voluntary_exit", "_selected_action": [alice.pk], "note": "本人书面申请"})
    alice.refresh_from_db()
    assert (alice.status, alice.exit_decision) == (S.EXITED, "本人书面申请")


def test_admin_reinstate_action_reports_the_rule(staff_client, populated):
    bob = populated["bob"]

    response = staff_client.post(
        reverse("admin:specialists_specialist_changelist"),
        {"action": "reinstate", "_selected_action": [bob.pk], "note": "表现良好"},
        follow=True,
    )

    assert Specialist.objects.get(pk=bob.pk).status == S.ROSTER
    assert "3 consecutive" in response.content.decode() or "连续" in response.content.decode()
    [(level, text)] = [(m.level, m.message) for m in response.context["messages"]]
    assert level == messages.ERROR
    assert text == "李博: 转回一般特别专员需要在进入名册后连续 3 个自然月每月都有活动。"


def test_admin_excellent_ranking_page(staff_client, populated, credit):
    credit(populated["alice"], 5, on=dt.date(2024, 6, 1))

    response = staff_client.get(reverse("admin:specialists_excellent_ranking"), {"year": "2024"})

    assert [(s.name, s.year_points) for s in response.context["ranking"]] == [("王爱丽", 305)]
    assert populated["alice"].pk in response.context["nominated"]


def test_admin_decline_liaison_change_request(staff_client, populated):
    from specialists.models import LiaisonChangeRequest

    request = LiaisonChangeRequest.objects.get()

    staff_client.post(
        reverse("admin:specialists_liaisonchangerequest_changelist"),
        {"action": "decline", "_selected_action": [request.pk]},
    )

    request.refresh_from_db()
    assert request.status == "declined"


def test_admin_nomination_of_a_roster_specialist_is_a_form_error(staff_client, populated):
    response = staff_client.post(
        reverse("admin:specialists_excellentnomination_add"),
        {"year": "2024", "specialist": populated["bob"].pk, "reason": "宣传推广"},
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["specialist"]
    assert not ExcellentNomination.objects.filter(specialist=populated["bob"]).exists()


def test_admin_nomination_of_a_general_specialist_is_recorded(staff_client, populated, staff_user):
    general = SpecialistFactory(status=S.GENERAL)

    response = staff_client.post(
        reverse("admin:specialists_excellentnomination_add"),
        {"year": "2024", "specialist": general.pk, "reason": "服务突出"},
    )

    assert response.status_code == 302
    nomination = ExcellentNomination.objects.get(specialist=general)
    assert (nomination.year, nomination.reason, nomination.nominated_by) == (2024, "服务突出", staff_user)


def test_admin_nomination_list_shows_the_year_points_of_the_ranking(staff_client, populated, credit):
    alice = populated["alice"]
    credit(alice, 5, on=dt.date(2024, 6, 1))
    credit(alice, 7, on=dt.date(2023, 6, 1))  # another year: not counted

    response = staff_client.get(reverse("admin:specialists_excellentnomination_changelist"))
    ranking = staff_client.get(reverse("admin:specialists_excellent_ranking"), {"year": "2024"})

    [nomination] = response.context["cl"].result_list
    assert nomination.year_points == 305
    assert [s.year_points for s in ranking.context["ranking"] if s.pk == alice.pk] == [305]
