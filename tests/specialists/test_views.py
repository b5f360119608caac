import datetime as dt
import re

import pytest
from django.contrib.messages import constants as levels
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse

from specialists import documents, services
from specialists.enums import RedemptionStatus
from specialists.enums import SpecialistStatus as S
from specialists.models import Activity, Committee, DocumentRequest, LiaisonChangeRequest, Redemption, Transfer
from specialists.views import points_chart
from tests.factories import UserFactory

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db

PAGE = "/me/points/"
TODAY = dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def me(credit):
    """A general specialist since 2024-01-02 whose last activity (30 book points) was on 2024-03-02."""
    specialist = SpecialistFactory(name="张伟明", user__username="zhang")
    credit(specialist, 30, on=dt.date(2024, 3, 2))
    specialist.refresh_from_db()
    return specialist


@pytest.fixture
def my_client(client, me):
    client.force_login(me.user)
    return client


def _messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _ledger_rows(response):
    table = re.search(r'<table class="data" id="ledger-table">(.*?)</table>', response.content.decode(), re.S).group(1)
    return re.findall(r'<td class="num (?:sp-pos|sp-neg)">([+-]?\d+)</td>', table)


def test_my_points_anonymous_is_sent_to_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_points_url_name_resolves():
    assert reverse("specialists:my-points") == PAGE


def test_my_points_shows_balance_status_and_standing(my_client, me):
    response = my_client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-balance="30"' in html
    assert me.get_status_display() in html
    # 第七条 5: last activity 2024-03-02 → demotion to the roster on 2024-09-02.
    assert [i["rule"] for i in response.context["standing"]] == ["general_inactive_6_months"]
    assert "2024-03-02" in html and "2024-09-02" in html
    assert "<svg" in html and 'class="balance"' in html


def test_my_points_staff_user_is_not_a_specialist(staff_client):
    response = staff_client.get(PAGE)

    assert response.status_code == 404


def test_my_points_filters_ledger_by_rule_and_date(my_client, me, credit, recorder):
    credit(me, 5, on=dt.date(2024, 4, 10))
    services.activity_record(me, rule="knowledge_contest", occurred_on=dt.date(2024, 4, 20), actor=recorder)

    by_rule = my_client.get(PAGE, {"rule": "knowledge_contest"})
    by_date = my_client.get(PAGE, {"date_from": "2024-04-01", "date_to": "2024-04-15"})
    everything = my_client.get(PAGE)

    assert _ledger_rows(by_rule) == ["+3"]
    assert _ledger_rows(by_date) == ["+5"]
    assert _ledger_rows(everything) == ["+3", "+5", "+30"]


def test_my_points_ledger_row_shows_amount_and_escapes_the_description(my_client, me, recorder):
    services.activity_record(
        me,
        rule="sponsorship",
        amount="250.50",
        description="<b>年会</b>",
        occurred_on=dt.date(2024, 4, 1),
        actor=recorder,
    )

    response = my_client.get(PAGE)

    html = response.content.decode()
    assert _ledger_rows(response) == ["+2", "+30"]
    assert "赞助 (250.50 元)" in html
    assert "&lt;b&gt;年会&lt;/b&gt;" in html and "<b>年会</b>" not in html


def test_my_points_reversed_date_range_is_reported_and_ignored(my_client):
    response = my_client.get(PAGE, {"date_from": "2024-05-01", "date_to": "2024-04-01"})

    assert response.context["filter_errors"]
    assert 'id="filter-errors"' in response.content.decode()
    assert _ledger_rows(response) == ["+30"]


@pytest.mark.parametrize(
    ("params", "field", "label"),
    [
        ({"kind": "\x00"}, "kind", "类型"),
        ({"kind": "bonus"}, "kind", "类型"),
        ({"rule": "\x00"}, "rule", "积分项目"),
        ({"rule": "no_such_rule"}, "rule", "积分项目"),
        ({"date_from": "2024-13-45"}, "date_from", "起始日期"),
        ({"date_to": "\x00"}, "date_to", "截止日期"),
    ],
    ids=["kind-nul", "kind-unknown", "rule-nul", "rule-unknown", "date-from-invalid", "date-to-nul"],
)
def test_my_points_bad_filter_is_a_form_error_not_a_server_error(my_client, me, credit, params, field, label):
    credit(me, 5, on=dt.date(2024, 4, 10))

    response = my_client.get(PAGE, params)

    assert response.status_code == 200
    assert list(response.context["filter_errors"]) == [field]
    errors = re.search(r'<ul class="error" id="filter-errors">(.*?)</ul>', response.content.decode(), re.S).group(1)
    assert errors.startswith(f"<li>{label}: ")
    assert _ledger_rows(response) == ["+5", "+30"]  # the filters are ignored, the whole ledger shown


def test_my_points_filter_error_is_not_shown_on_the_plain_page(my_client):
    my_client.get(PAGE, {"date_from": "2024-05-01", "date_to": "2024-04-01"})

    response = my_client.get(PAGE)

    assert 'id="filter-errors"' not in response.content.decode()


def test_my_points_paginates_ledger_keeping_filters(my_client, me, credit):
    for day in range(1, 25):
        credit(me, 1, on=dt.date(2024, 4, day))

    first = my_client.get(PAGE, {"rule": "books"})
    second = my_client.get(PAGE, {"rule": "books", "page": 2})

    assert len(_ledger_rows(first)) == 20
    assert _ledger_rows(second) == ["+1"] * 4 + ["+30"]
    assert "rule=books&amp;page=2" in first.content.decode()


def test_redeem_through_page_lowers_balance_once(my_client, me):
    form = {"reward": "office_gift", "quantity": "1", "idempotency_key": "page-key-1"}

    first = my_client.post(reverse("specialists:redeem"), form)
    again = my_client.post(reverse("specialists:redeem"), form)

    me.refresh_from_db()
    assert first.status_code == 302 and first["Location"].endswith("#rewards")
    assert me.balance == 10  # 附件二: 办公礼品 20 分
    assert Redemption.objects.filter(specialist=me).count() == 1
    # Messages pile up until a page shows them: the first answer succeeded, the repeat only informs.
    assert [level for level, _text in _messages(again)] == [levels.SUCCESS, levels.INFO]


def test_redeem_book_through_page_costs_half_the_price(my_client, me):
    my_client.post(reverse("specialists:redeem"), {"reward": "book", "price": "25", "idempotency_key": "b1"})

    me.refresh_from_db()
    assert me.balance == 30 - 13  # 25 yuan → 12.5 → 13 points


def test_redeem_beyond_balance_is_refused_and_writes_nothing(my_client, me):
    response = my_client.post(
        reverse("specialists:redeem"), {"reward": "free_training_seat", "idempotency_key": "k2"}, follow=True
    )

    me.refresh_from_db()
    assert me.balance == 30
    assert not Redemption.objects.exists()
    assert response.redirect_chain[-1][0].endswith("#rewards")
    assert "msg-error" in response.content.decode()


def test_redeem_without_key_is_refused(my_client, me):
    response = my_client.post(reverse("specialists:redeem"), {"reward": "office_gift"})

    assert [level for level, _text in _messages(response)] == [levels.ERROR]
    assert not Redemption.objects.exists()


def test_transfer_through_page_moves_points(my_client, me):
    friend = SpecialistFactory(user__username="li", status=S.ROSTER)

    response = my_client.post(
        reverse("specialists:transfer"), {"to": "li", "points": "12", "idempotency_key": "t1", "confirm": "1"}
    )

    me.refresh_from_db()
    friend.refresh_from_db()
    assert (me.balance, friend.balance) == (18, 12)
    assert Transfer.objects.get().recipient == friend
    assert [level for level, _text in _messages(response)] == [levels.SUCCESS]


@pytest.mark.parametrize(
    ("to", "points"),
    [("nobody", "5"), ("zhang", "5"), ("li", "31"), ("li", "0")],
    ids=["unknown-account", "to-self", "more-than-balance", "zero"],
)
def test_transfer_through_page_refused_writes_nothing(my_client, me, to, points):
    SpecialistFactory(user__username="li")

    response = my_client.post(
        reverse("specialists:transfer"), {"to": to, "points": points, "idempotency_key": "t", "confirm": "1"}
    )

    me.refresh_from_db()
    assert me.balance == 30
    assert not Transfer.objects.exists()
    assert [level for level, _text in _messages(response)] == [levels.ERROR]


def test_transfer_through_page_twice_with_one_key_records_once(my_client, me):
    friend = SpecialistFactory(user__username="li")
    form = {"to": "li", "points": "12", "idempotency_key": "t1", "confirm": "1"}

    my_client.post(reverse("specialists:transfer"), form)
    again = my_client.post(reverse("specialists:transfer"), form)

    me.refresh_from_db()
    friend.refresh_from_db()
    assert (me.balance, friend.balance) == (18, 12)
    assert Transfer.objects.count() == 1
    assert [level for level, _text in _messages(again)] == [levels.SUCCESS, levels.INFO]


def test_transfer_through_page_to_unknown_account_names_it(my_client, me):
    response = my_client.post(reverse("specialists:transfer"), {"to": "nobody", "points": "5", "idempotency_key": "t"})

    [(level, text)] = _messages(response)
    assert level == levels.ERROR
    assert "nobody" in text


def test_exited_specialist_sees_no_spending_forms(client, credit):
    gone = SpecialistFactory(status=S.EXITED)
    client.force_login(gone.user)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert reverse("specialists:redeem") not in response.content.decode()
    assert reverse("specialists:transfer") not in response.content.decode()


def test_document_request_through_page_is_tracked(my_client, me):
    response = my_client.post(
        reverse("specialists:document-request"), {"kind": "work_id", "copies": "2", "address": "北京市海淀区"}
    )

    request = DocumentRequest.objects.get()
    assert (request.specialist, request.kind, request.copies) == (me, "work_id", 2)
    assert [level for level, _text in _messages(response)] == [levels.SUCCESS]


def test_document_request_by_roster_specialist_is_refused(client):
    roster = SpecialistFactory(status=S.ROSTER)
    client.force_login(roster.user)

    response = client.post(
        reverse("specialists:document-request"), {"kind": "work_id", "copies": "1", "address": "北京市海淀区"}
    )

    assert not DocumentRequest.objects.exists()
    assert [level for level, _text in _messages(response)] == [levels.ERROR]


def test_liaison_change_request_through_page(my_client, me):
    my_client.post(reverse("specialists:liaison-change"), {"reason": "联系不上"})
    second = my_client.post(reverse("specialists:liaison-change"), {"reason": "还是联系不上"})

    assert LiaisonChangeRequest.objects.filter(specialist=me).count() == 1
    assert [level for level, _text in _messages(second)] == [levels.SUCCESS, levels.ERROR]


def test_non_specialist_cannot_post(client):
    client.force_login(UserFactory())

    response = client.post(reverse("specialists:redeem"), {"reward": "office_gift", "idempotency_key": "x"})

    assert response.status_code == 404


@pytest.fixture
def my_document(me, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (appointment, *_rest) = documents.documents_issue(me, actor=None, on=dt.date(2024, 5, 1))
    appointment.refresh_from_db()
    return appointment


def test_document_download_by_its_specialist(my_client, my_document):
    response = my_client.get(reverse("specialists:document", args=[my_document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_document_download_by_staff(staff_client, my_document):
    response = staff_client.get(reverse("specialists:document", args=[my_document.pk]))

    assert response.status_code == 200


def test_document_download_by_another_specialist_is_404(client, my_document):
    other = SpecialistFactory()
    client.force_login(other.user)

    response = client.get(reverse("specialists:document", args=[my_document.pk]))

    assert response.status_code == 404


def test_document_download_anonymous_is_sent_to_login(client, my_document):
    response = client.get(reverse("specialists:document", args=[my_document.pk]))

    assert response.status_code == 302


def test_document_download_before_rendering_is_404(my_client, me):
    (appointment, *_rest) = documents.documents_issue(me, actor=None, on=dt.date(2024, 5, 1))  # not yet committed

    response = my_client.get(reverse("specialists:document", args=[appointment.pk]))

    assert response.status_code == 404


def test_my_points_lists_issued_documents(my_client, my_document):
    response = my_client.get(PAGE)

    assert reverse("specialists:document", args=[my_document.pk]) in response.content.decode()


def test_points_chart_scales_to_a_round_maximum():
    rows = [
        {"month": dt.date(2024, m, 1), "earned": e, "spent": s, "balance": b}
        for m, e, s, b in [
            (1, 30, 0, 30),
            (2, 0, 20, 10),
            (3, 140, 0, 150),
        ]
    ]

    svg = render_to_string("specialists/_points_chart.html", {"chart": points_chart(rows)})

    # The axis tops out at 200 (the next of 1, 2, 5 × 10ⁿ above 150), labelled 0, 100, 200.
    assert re.findall(r'dominant-baseline="middle">(\d+)</text>', svg) == ["0", "100", "200"]
    assert svg.count('class="earned"') == 3 and svg.count('class="balance-dot"') == 3
    assert re.findall(r'text-anchor="middle">(\d+)</text>', svg) == ["1", "2", "3"]


def _keys(response):
    return re.findall(r'name="idempotency_key" value="([^"]+)"', response.content.decode())


def test_my_points_each_response_has_fresh_form_keys_and_csrf_token(my_client):
    first, second = my_client.get(PAGE), my_client.get(PAGE)

    assert len(_keys(first)) == 8  # seven rewards and the transfer form
    assert set(_keys(first)).isdisjoint(_keys(second))
    assert any(k.endswith("-office_gift") for k in _keys(first))
    html = second.content.decode()
    assert "__specialists" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert len(token) == 64


def test_my_points_after_redeem_shows_the_new_balance(my_client, me):
    my_client.get(PAGE)
    my_client.post(reverse("specialists:redeem"), {"reward": "office_gift", "idempotency_key": "r1"})

    response = my_client.get(PAGE)

    assert 'data-balance="10"' in response.content.decode()


def test_my_points_shows_a_redemption_fulfilled_by_staff(my_client, me, recorder):
    redemption, _created = services.redemption_create(me, reward="office_gift", idempotency_key="r2")
    assert str(RedemptionStatus.PENDING.label) in my_client.get(PAGE).content.decode()

    services.redemption_fulfil(redemption, actor=recorder)
    response = my_client.get(PAGE)

    assert str(RedemptionStatus.FULFILLED.label) in response.content.decode()


def test_my_points_shows_a_newly_assigned_liaison(my_client, me, recorder):
    my_client.get(PAGE)

    services.liaison_assign(
        me, UserFactory(name="王联络", email="wang@alliance.example"), on=dt.date(2024, 5, 1), actor=recorder
    )
    response = my_client.get(PAGE)

    assert "<strong>王联络</strong>" in response.content.decode()
    assert 'href="mailto:wang@alliance.example"' in response.content.decode()


def test_my_points_shows_committee_liaison_account_and_an_open_liaison_request(client, recorder):
    committee = Committee.objects.order_by("order").first()
    specialist = SpecialistFactory(committee=committee)
    liaison = UserFactory(username="wangll", email="")
    liaison.profile.name = ""
    liaison.profile.save()
    services.liaison_assign(specialist, liaison, on=dt.date(2024, 5, 1), actor=recorder)
    services.liaison_change_request_create(specialist, reason="联系不上")
    client.force_login(specialist.user)

    html = client.get(PAGE).content.decode()

    assert f'<div class="muted">{committee.name}</div>' in html
    assert "<strong>wangll</strong>" in html  # no display name: the account name
    assert "mailto:" not in html
    assert 'name="reason"' not in html and "2024-06-01" in html  # asked today; no second request form


def test_my_points_standing_follows_a_new_attendance(client, recorder):
    roster = SpecialistFactory(status=S.ROSTER, status_since=dt.date(2024, 3, 1), roster_without_icebreaker=True)
    client.force_login(roster.user)
    before = client.get(PAGE).context["standing"]
    icebreaker = Activity.objects.create(title="破冰", kind="icebreaker", held_on=dt.date(2024, 5, 20))

    services.attendance_record(roster, icebreaker, actor=recorder)
    after = client.get(PAGE).context["standing"]

    assert "roster_no_icebreaker_6_months" in [i["rule"] for i in before]
    assert "roster_no_icebreaker_6_months" not in [i["rule"] for i in after]


def test_my_points_header_shows_the_users_name_and_role_links_read_with_the_specialist(my_client, me):
    me.user.profile.name = "张伟明（本人）"
    me.user.profile.save()

    html = my_client.get(PAGE).content.decode()

    assert '<span class="who">张伟明（本人）</span>' in html
    assert '<a href="/me/points/">' in html  # the nav's link for the specialist role
    assert '<a href="/greenmine/">' not in html


def test_my_points_header_without_a_profile_shows_the_account_name(client):
    specialist = SpecialistFactory(user__username="noprofile")
    specialist.user.profile.delete()
    client.force_login(specialist.user)

    html = client.get(PAGE).content.decode()

    assert '<span class="who">noprofile</span>' in html


def test_my_points_unfiltered_ledger_is_counted_from_the_monthly_totals(my_client, me, credit):
    for day in range(1, 25):
        credit(me, 1, on=dt.date(2024, 4, day))

    second = my_client.get(PAGE, {"page": 2})
    beyond = my_client.get(PAGE, {"page": 9})

    assert (second.context["ledger"].paginator.count, second.context["ledger"].paginator.num_pages) == (25, 2)
    assert _ledger_rows(second) == ["+1"] * 4 + ["+30"]
    assert _ledger_rows(beyond) == _ledger_rows(second)  # a page past the end shows the last one
