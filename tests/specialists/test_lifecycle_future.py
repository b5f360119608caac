"""Finding 7: the lifecycle run applied a future date for real (specialists demoted "since 2027-06-01").

Only today or an earlier day (Asia/Shanghai) is applied; a future date can be previewed, and says so.
The admin confirms with the number of changes; every change explains itself in a Chinese sentence.
"""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from alliance.exceptions import BusinessRuleError
from specialists import services
from specialists.enums import SpecialistStatus as S
from specialists.lifecycle import change_reason, lifecycle_run
from specialists.models import LifecycleRun, Specialist, StatusChange

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db
D = dt.date
# 2026-12-01 00:30 in Shanghai, still 30 November in UTC: "today" is the Shanghai date.
NOW = dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)
FUTURE = "2027-06-01"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def idle_general(db):
    """General since 2026-11-23 with no activity: the six months run out on 2027-05-23 (第七条 5)."""
    return SpecialistFactory(name="王闲", status=S.GENERAL, status_since=D(2026, 11, 23))


def _unchanged(specialist):
    specialist.refresh_from_db()
    return (specialist.status, specialist.status_since) == (S.GENERAL, D(2026, 11, 23))


# ---- The service ---------------------------------------------------------------------------------


def test_service_refuses_a_future_date_for_a_real_run(idle_general):
    with pytest.raises(BusinessRuleError) as refused:
        lifecycle_run(as_of=D(2027, 6, 1), source="admin")

    assert refused.value.field == "as_of"
    assert refused.value.message == (
        "状态规则只能按今天（2026-12-01）或以前的日期执行；2027-06-01 在未来，只能预览，不能执行。"
    )
    assert _unchanged(idle_general)
    assert not LifecycleRun.objects.exists()
    assert not StatusChange.objects.exists()


def test_service_applies_today_in_shanghai_although_utc_is_still_yesterday():
    specialist = SpecialistFactory(status=S.GENERAL, status_since=D(2026, 6, 1))

    run, changes = lifecycle_run(as_of=D(2026, 12, 1))

    assert [(c.specialist_id, c.to_status) for c in changes] == [(specialist.pk, S.ROSTER)]
    assert run.as_of == D(2026, 12, 1)


def test_service_previews_a_future_date_without_writing(idle_general):
    run, changes = lifecycle_run(as_of=FUTURE, dry_run=True)

    assert run is None
    assert [(c.specialist_id, c.to_status, c.rule) for c in changes] == [
        (idle_general.pk, S.ROSTER, "general_inactive_6_months")
    ]
    assert _unchanged(idle_general)


def test_service_refuses_a_run_whose_number_of_changes_is_not_the_one_confirmed(idle_general):
    with pytest.raises(BusinessRuleError) as refused:
        lifecycle_run(as_of=D(2026, 12, 1), expected_changes=1)  # the idle specialist is not due until May

    assert refused.value.field == "expected"
    assert "现在将改变 0 位专员的状态，而不是您确认的 1 位" in refused.value.message
    assert not LifecycleRun.objects.exists()


# ---- The admin "run now" page ------------------------------------------------------------------------


def test_admin_previews_a_future_date_labelled_and_without_a_confirm_button(staff_client, idle_general):
    response = staff_client.get(reverse("admin:specialists_lifecyclerun_run"), {"as_of": FUTURE})

    page = response.content.decode()
    assert response.status_code == 200
    assert "预览：该日期在未来，只能预览，不能执行。" in page
    assert "王闲" in page
    assert "自 2026-11-23 起无活动，应于 2027-05-23 降为名册专员" in page
    assert 'name="confirm"' not in page


def test_admin_refuses_a_real_run_for_a_future_date(staff_client, idle_general):
    url = reverse("admin:specialists_lifecyclerun_run")

    response = staff_client.post(url, {"as_of": FUTURE, "confirm": "1", "expected": "1"}, follow=True)

    assert "2027-06-01 在未来，只能预览，不能执行" in response.content.decode()
    assert _unchanged(idle_general)
    assert not LifecycleRun.objects.exists()


def test_admin_confirmation_carries_the_number_of_changes(staff_client):
    for n in range(2):
        SpecialistFactory(name=f"闲{n}", status=S.GENERAL, status_since=D(2026, 1, 5))
    url = reverse("admin:specialists_lifecyclerun_run")

    preview = staff_client.get(url, {"as_of": "2026-12-01"}).content.decode()

    assert "确认执行（将改变 2 位专员的状态）" in preview
    assert '<input type="hidden" name="expected" value="2">' in preview


def test_admin_refuses_the_confirmation_when_the_number_changed_meanwhile(staff_client):
    SpecialistFactory(status=S.GENERAL, status_since=D(2026, 1, 5))
    SpecialistFactory(status=S.GENERAL, status_since=D(2026, 1, 5))
    url = reverse("admin:specialists_lifecyclerun_run")

    response = staff_client.post(url, {"as_of": "2026-12-01", "confirm": "1", "expected": "1"}, follow=True)

    page = response.content.decode()
    assert "未执行：2026-12-01 的运行现在将改变 2 位专员的状态，而不是您确认的 1 位。" in page
    assert "确认执行（将改变 2 位专员的状态）" in page  # the new preview, to confirm again
    assert not LifecycleRun.objects.exists()
    assert Specialist.objects.filter(status=S.GENERAL).count() == 2


def test_admin_confirmation_without_a_number_is_refused(staff_client):
    SpecialistFactory(status=S.GENERAL, status_since=D(2026, 1, 5))

    response = staff_client.post(
        reverse("admin:specialists_lifecyclerun_run"), {"as_of": "2026-12-01", "confirm": "1"}, follow=True
    )

    assert "请先预览变更，再确认变更数量。" in response.content.decode()
    assert not LifecycleRun.objects.exists()


def test_admin_run_change_page_shows_reasons_as_sentences(staff_client):
    SpecialistFactory(name="赵停", status=S.GENERAL, status_since=D(2026, 1, 5))
    run, _changes = lifecycle_run(as_of=D(2026, 12, 1), source="admin")

    page = staff_client.get(reverse("admin:specialists_lifecyclerun_change", args=[run.pk])).content.decode()

    assert "自 2026-01-05 起无活动，应于 2026-07-05 降为名册专员" in page
    assert "第七条 5：连续半年未参与活动" in page
    assert "general_since" not in page


# ---- The command and the API ---------------------------------------------------------------------------


def test_command_refuses_a_future_date_for_a_real_run(idle_general):
    with pytest.raises(CommandError, match="2027-06-01 在未来，只能预览，不能执行"):
        call_command("run_lifecycle", "--as-of", FUTURE, stdout=io.StringIO())

    assert _unchanged(idle_general)


def test_command_previews_a_future_date_and_says_so(idle_general):
    out = io.StringIO()

    call_command("run_lifecycle", "--as-of", FUTURE, "--dry-run", stdout=out)

    assert "自 2026-11-23 起无活动，应于 2027-05-23 降为名册专员" in out.getvalue()
    assert "2027-06-01: would change 1 specialist(s) (preview of a future date)." in out.getvalue()
    assert _unchanged(idle_general)


def test_api_refuses_a_future_date_for_a_real_run_naming_as_of(api_client, staff_user, idle_general):
    api_client.force_authenticate(staff_user)

    response = api_client.post("/api/lifecycle/run/", {"as_of": FUTURE}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]
    assert "在未来" in response.json()["as_of"][0]
    assert _unchanged(idle_general)


def test_api_preview_gives_each_change_a_reason_beside_its_facts(api_client, staff_user, idle_general):
    api_client.force_authenticate(staff_user)

    response = api_client.post("/api/lifecycle/run/", {"as_of": FUTURE, "dry_run": True}, format="json")

    assert response.status_code == 200
    (change,) = response.json()["changes"]
    assert change["reason"] == "自 2026-11-23 起无活动，应于 2027-05-23 降为名册专员"
    assert change["evidence"] == {
        "as_of": FUTURE,
        "last_activity": None,
        "general_since": "2026-11-23",
        "due": "2027-05-23",
    }


# ---- The evidence as sentences, for each rule ------------------------------------------------------------


def test_reason_for_general_inactivity_counts_from_the_last_activity(recorder):
    specialist = SpecialistFactory(status=S.GENERAL, status_since=D(2026, 1, 5))
    services.activity_record(specialist, rule="books", quantity=1, occurred_on=D(2026, 3, 2), actor=recorder)

    _run, (change,) = lifecycle_run(as_of=D(2026, 9, 2), dry_run=True)

    assert change.reason == "自 2026-03-02 起无活动，应于 2026-09-02 降为名册专员"


def test_reason_for_roster_exit_after_three_months_without_activity(recorder):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2026, 6, 1))
    services.icebreaker_record(specialist, on=D(2026, 1, 10))
    services.activity_record(specialist, rule="books", quantity=1, occurred_on=D(2026, 7, 10), actor=recorder)

    _run, (change,) = lifecycle_run(as_of=D(2026, 10, 10), dry_run=True)

    assert change.rule == "roster_inactive_3_months"
    assert change.reason == "自 2026-07-10 起无活动，三个月期满，应于 2026-10-10 列入待退出"


@pytest.mark.parametrize(
    ("rule", "evidence", "sentence"),
    [
        (
            "probation_below_minimum",
            {"probation_ends": "2026-04-15", "points": 3, "minimum": 10, "icebreaker": True},
            "试用期于 2026-04-15 结束，期内积分 3 分，低于最低要求 10 分，试用未通过",
        ),
        (
            "probation_passed_icebreaker",
            {"probation_ends": "2026-04-15", "points": 12, "minimum": 10, "icebreaker": True},
            "试用期于 2026-04-15 结束，期内积分 12 分（最低要求 10 分），已参加破冰活动，转为一般特别专员",
        ),
        (
            "probation_passed_no_icebreaker",
            {"probation_ends": "2026-04-15", "points": 12, "minimum": 10, "icebreaker": False},
            "试用期于 2026-04-15 结束，期内积分 12 分（最低要求 10 分），未参加破冰活动，转为名册专员",
        ),
        (
            "general_inactive_6_months",
            {"last_activity": None, "general_since": "2026-11-23", "due": "2027-05-23"},
            "自 2026-11-23 起无活动，应于 2027-05-23 降为名册专员",
        ),
        (
            "roster_icebreaker_return",
            {
                "roster_since": "2026-01-10",
                "icebreaker": "2026-07-10",
                "activity": "2026-01-15",
                "window_end": "2026-07-10",
            },
            "自 2026-01-10 列入名册，2026-07-10 参加破冰活动、2026-01-15 参与活动，"
            "均不晚于 2026-07-10，恢复为一般特别专员",
        ),
        (
            "roster_inactive_3_months",
            {"roster_since": "2026-06-01", "last_activity": None, "due": "2026-09-01"},
            "自 2026-06-01 起无活动，三个月期满，应于 2026-09-01 列入待退出",
        ),
        (
            "roster_no_icebreaker_6_months",
            {"roster_since": "2026-01-10", "icebreaker": None, "due": "2026-07-10"},
            "自 2026-01-10 列入名册后六个月内未参加破冰活动，应于 2026-07-10 列入待退出",
        ),
    ],
)
def test_reason_sentence_for_each_rule(rule, evidence, sentence):
    assert change_reason(rule, {"as_of": "2026-12-01", **evidence}) == sentence
