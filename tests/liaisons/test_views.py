"""The liaison's own page (/liaisons/me/) and the office's assessment page (/liaisons/assessment/<year>/).

Alice is the current liaison of 秦岭煤业; Bob the liaison of another unit; Carol handed Alice's post over;
Dave a plain user.  The Chinese of the page's own labels comes from /work/notes/po/c.po (merged by the lead).
"""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from liaisons import services
from liaisons.enums import ArticleStatus, Association, GatheringKind, RequestStatus
from liaisons.models import Article, Feedback, FeePayment, Membership, UnitChangeRequest
from tests.factories import UserFactory
from tests.liaisons.factories import LiaisonFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db

ME = "/liaisons/me/"


# ---- people and data ------------------------------------------------------------------------------


@pytest.fixture
def unit():
    unit = MemberUnitFactory(name="秦岭煤业有限责任公司", address="西安市雁塔区科技路10号", postcode="710065")
    Membership.objects.filter(organisation=unit).update(level="director")
    return unit


@pytest.fixture
def carol(unit):
    """Alice's predecessor: her post ended when Alice took over."""
    return LiaisonFactory(
        organisation=unit,
        name="陈卡萝",
        user=UserFactory(username="carol", roles=["liaison"]),
        started_on=dt.date(2020, 1, 1),
    )


@pytest.fixture
def alice(unit, carol, staff_user):
    user = UserFactory(username="alice")
    return services.liaison_register(
        unit,
        actor=staff_user,
        username=user.username,
        on=dt.date(2024, 3, 1),
        name="李爱丽",
        gender="female",
        ethnicity="汉族",
        birth_date="1988-05-12",
        political_status="中共党员",
        education="大学本科",
        title="工程师",
        position="办公室副主任",
        email="lial@qinling.example.com",
        office_phone="029-88886666",
        mobile="13912345678",
        wechat="qinling_lal",
        postcode="710065",
        recommendation="同意推荐",
        recommended_on="2024-02-20",
        resume=[{"start": "2010-07", "end": "2015-03", "description": "秦岭煤业 技术员"}],
    )


@pytest.fixture
def bob():
    return LiaisonFactory(
        organisation=MemberUnitFactory(name="渭北矿业集团"),
        name="王博",
        user=UserFactory(username="bob", roles=["liaison"]),
    )


@pytest.fixture
def dave():
    return UserFactory(username="dave")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice):
    return client_for(alice.user)


def _duties(liaison, staff, *, articles=1, feedback=1):
    membership = Membership.objects.get(organisation=liaison.organisation, association=Association.ASSOCIATION)
    services.fee_record(membership, year=2025, paid_on=dt.date(2025, 5, 10), amount=Decimal("5000.00"), actor=staff)
    services.fee_record(membership, year=2024, paid_on=None, amount=Decimal("5000.00"), actor=staff)
    for n in range(articles):
        article = services.article_submit(
            liaison, title=f"秦岭煤业推进绿色矿山建设{n}", url="https://example.com/a", on=dt.date(2025, 4, 1)
        )
        if n == 0:
            services.article_decide(article, adopted=True, actor=staff)
    for n in range(feedback):
        item = services.feedback_raise(liaison, subject=f"关于会费票据的问题{n}", body="请协会开具电子票据。")
        Feedback.objects.filter(pk=item.pk).update(raised_on=dt.date(2025, 4, 2))
        if n == 0:
            services.feedback_answer(item, answer="已安排财务开具。", actor=staff)
    meeting = services.gathering_create(
        kind=GatheringKind.MEETING,
        title="2025年度联络员工作会议",
        held_on=dt.date(2025, 3, 15),
        place="北京",
        actor=staff,
    )
    training = services.gathering_create(
        kind=GatheringKind.TRAINING, title="会员服务业务培训", held_on=dt.date(2025, 6, 20), actor=staff
    )
    services.attendance_record(meeting, [liaison], actor=staff)
    services.attendance_record(training, [liaison], actor=staff)


def visible_text(html):
    html = re.sub(r"(?s)<(script|style|title)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(text.split())


def attribute_text(html):
    """The user-visible attributes: placeholders, alt and title texts, aria labels."""
    return " ".join(re.findall(r'(?:placeholder|alt|title|aria-label)="([^"]*)"', html))


# Words a page may show in Latin letters: the language switch, the API link, file kinds, data.
LATIN_ALLOWED = {"English", "API", "PDF", "Excel"}


def english_words(html, *data):
    text = visible_text(html) + " " + attribute_text(html)
    for value in data:
        text = text.replace(value, " ")
    text = re.sub(r"\S+@\S+|https?://\S*", " ", text)
    return sorted({w for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text) if w not in LATIN_ALLOWED})


# ---- the liaison's page -----------------------------------------------------------------------------


def test_liaison_page_shows_the_unit_the_registration_and_the_duties(alice, alice_client, staff_user):
    _duties(alice, staff_user)

    response = alice_client.get(ME)

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "秦岭煤业有限责任公司",
        "西安市雁塔区科技路10号",
        "710065",
        "李爱丽",
        "汉族",
        "1988-05-12",
        "中共党员",
        "大学本科",
        "工程师",
        "办公室副主任",
        "029-88886666",
        "13912345678",
        "qinling_lal",
        "同意推荐",
        "2010.07—2015.03 秦岭煤业 技术员",
        "秦岭煤业推进绿色矿山建设0",
        "关于会费票据的问题0",
        "已安排财务开具。",
        "2025年度联络员工作会议",
        "会员服务业务培训",
        "5000.00",
        "2025-06-30",
    ):
        assert text in html, text
    fees = {fee.year: fee for fee in response.context["fees"]}
    assert set(fees) == {2024, 2025}
    assert fees[2025].paid_on_time and fees[2024].overdue
    assert f'href="/liaisons/me/fees/{fees[2024].pk}/confirm/"' in html
    assert f'href="/liaisons/units/{alice.organisation_id}/registration.pdf"' in html
    assert [g.title for g in response.context["meetings"]] == ["2025年度联络员工作会议"]
    assert [g.title for g in response.context["trainings"]] == ["会员服务业务培训"]


def test_liaison_page_is_in_chinese(alice, alice_client, staff_user):
    """Depends on the lead merging /work/notes/po/c.po (and the liaisons enums' translations)."""
    _duties(alice, staff_user)
    UnitChangeRequest.objects.create(organisation=alice.organisation, requested_by=alice, nature="soe_central")

    html = alice_client.get(ME).content.decode()

    assert english_words(html, "qinling_lal", alice.user.profile.name) == []
    for text in ("联络员", "会员单位", "确认已办理会费缴纳", "已采用", "待审核", "保存", "协会办公室的答复"):
        assert text in html, text


def test_liaison_page_counts_its_queries_whatever_the_number_of_rows(
    alice, alice_client, staff_user, django_assert_max_num_queries
):
    _duties(alice, staff_user, articles=1, feedback=1)
    with django_assert_max_num_queries(30) as few:
        alice_client.get(ME)
    _duties(alice, staff_user, articles=12, feedback=8)
    UnitChangeRequest.objects.create(organisation=alice.organisation, requested_by=alice, name="秦岭能源有限公司")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(ME)

    assert len(response.context["articles"]) == 13


def test_a_liaison_sees_only_their_own_unit(alice, bob, staff_user):
    _duties(alice, staff_user)

    html = client_for(bob.user).get(ME).content.decode()

    assert "渭北矿业集团" in html and "王博" in html
    assert "秦岭煤业" not in html and "李爱丽" not in html


@pytest.mark.parametrize("who", ["carol", "dave", "staff"])
def test_liaison_page_is_refused_with_an_explanation(who, alice, carol, dave, staff_user):
    user = {"carol": carol.user, "dave": dave, "staff": staff_user}[who]

    response = client_for(user).get(ME)

    assert response.status_code == 403
    assert response.templates[0].name == "liaisons/not_a_liaison.html"
    assert "秦岭煤业" not in response.content.decode()


def test_liaison_page_sends_an_anonymous_visitor_to_log_in(client):
    response = client.get(ME)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/liaisons/me/")


@pytest.mark.parametrize(
    "url",
    ["/liaisons/me/contact/", "/liaisons/me/unit/", "/liaisons/me/articles/", "/liaisons/me/feedback/"],
)
def test_a_handed_over_liaison_cannot_post(url, alice, carol):
    response = client_for(carol.user).post(url, {"article-title": "旧联络员的投稿", "feedback-subject": "x"})

    assert response.status_code == 403
    assert not Article.objects.filter(title="旧联络员的投稿").exists()


def test_nav_links_follow_the_roles(alice, alice_client, staff_client, dave):
    assert 'href="/liaisons/me/"' in alice_client.get("/").content.decode()
    assert 'href="/liaisons/assessment/"' not in alice_client.get("/").content.decode()
    staff_home = staff_client.get("/").content.decode()
    assert 'href="/liaisons/assessment/"' in staff_home and 'href="/liaisons/me/"' not in staff_home
    plain = client_for(dave).get("/").content.decode()
    assert "/liaisons/" not in plain


# ---- the forms --------------------------------------------------------------------------------------


def _contact(liaison, **changes):
    data = {f"contact-{f}": getattr(liaison, f) for f in services.SELF_SERVICE_FIELDS}
    data.update({f"contact-{k}": v for k, v in changes.items()})
    return data


def test_contact_details_are_updated_with_a_chinese_message(alice, alice_client):
    response = alice_client.post(
        "/liaisons/me/contact/", _contact(alice, office_phone="029-12345678", wechat="lal_new"), follow=True
    )

    alice.refresh_from_db()
    assert (alice.office_phone, alice.wechat) == ("029-12345678", "lal_new")
    assert response.redirect_chain == [("/liaisons/me/#contact", 302)]
    assert [str(m) for m in response.context["messages"]] == ["联系方式已更新。"]


def test_the_contact_form_offers_only_the_self_service_fields(alice, alice_client):
    from liaisons.forms import ContactForm

    assert list(ContactForm.base_fields) == list(services.SELF_SERVICE_FIELDS)

    alice_client.post("/liaisons/me/contact/", {**_contact(alice), "contact-name": "冒名", "contact-gender": "male"})

    alice.refresh_from_db()
    assert (alice.name, alice.gender) == ("李爱丽", "female")


def test_a_bad_mobile_keeps_the_input_and_names_the_error(alice, alice_client):
    response = alice_client.post("/liaisons/me/contact/", _contact(alice, mobile="0291234", wechat="lal_new"))

    assert response.status_code == 400
    form = response.context["contact_form"]
    assert list(form.errors) == ["mobile"]
    html = response.content.decode()
    assert 'value="0291234"' in html and 'value="lal_new"' in html
    alice.refresh_from_db()
    assert (alice.mobile, alice.wechat) == ("13912345678", "qinling_lal")


def test_a_bad_mobile_error_is_in_chinese(alice, alice_client):
    """Depends on the merged translations (the service's message is the lead's msgid)."""
    response = alice_client.post("/liaisons/me/contact/", _contact(alice, mobile="0291234"))

    html = response.content.decode()
    assert "未保存" in html and "手机号码" in html


def test_an_article_is_submitted_and_listed_as_pending(alice, alice_client):
    response = alice_client.post(
        "/liaisons/me/articles/",
        {"article-title": "秦岭煤业获评国家级绿色矿山", "article-url": "https://www.example.com/news/1"},
        follow=True,
    )

    article = Article.objects.get(liaison=alice)
    assert (article.title, article.url, article.status) == (
        "秦岭煤业获评国家级绿色矿山",
        "https://www.example.com/news/1",
        ArticleStatus.PENDING,
    )
    html = response.content.decode()
    assert f'id="article-{article.pk}"' in html
    assert "已提交" in str(list(response.context["messages"])[0])
    assert "待定" in html


def test_an_article_without_a_title_keeps_the_link_and_shows_the_error(alice, alice_client):
    response = alice_client.post(
        "/liaisons/me/articles/", {"article-title": "  ", "article-url": "https://e.example/x"}
    )

    assert response.status_code == 400
    assert list(response.context["article_form"].errors) == ["title"]
    assert 'value="https://e.example/x"' in response.content.decode()
    assert not Article.objects.exists()


def test_an_article_with_a_bad_link_is_refused_by_the_service(alice, alice_client):
    response = alice_client.post("/liaisons/me/articles/", {"article-title": "好文章", "article-url": "ftp://x"})

    assert response.status_code == 400
    assert list(response.context["article_form"].errors) == ["url"]
    assert 'value="好文章"' in response.content.decode()


def test_the_unit_address_is_updated_and_a_bad_postcode_refused(alice, alice_client):
    ok = alice_client.post("/liaisons/me/unit/", {"unit-address": "西安市高新区锦业路1号", "unit-postcode": "710075"})
    bad = alice_client.post("/liaisons/me/unit/", {"unit-address": "西安市长安区", "unit-postcode": "7100"})

    assert ok.status_code == 302
    alice.organisation.refresh_from_db()
    assert (alice.organisation.address, alice.organisation.postcode) == ("西安市高新区锦业路1号", "710075")
    assert bad.status_code == 400
    assert list(bad.context["unit_form"].errors) == ["postcode"]
    assert 'value="西安市长安区"' in bad.content.decode()


def test_a_name_change_request_waits_for_the_office_and_a_second_is_refused(alice, alice_client):
    first = alice_client.post(
        "/liaisons/me/unit/change-request/",
        {"change-name": "秦岭能源集团有限公司", "change-nature": "", "change-reason": "工商变更"},
        follow=True,
    )
    second = alice_client.post("/liaisons/me/unit/change-request/", {"change-name": "秦岭又一个名字"})

    request = UnitChangeRequest.objects.get()
    assert (request.name, request.status) == ("秦岭能源集团有限公司", RequestStatus.PENDING)
    assert "秦岭能源集团有限公司" in first.content.decode()
    assert second.status_code == 400
    assert list(second.context["change_form"].errors) == ["name"]
    alice.organisation.refresh_from_db()
    assert alice.organisation.name == "秦岭煤业有限责任公司"


def test_feedback_is_raised_and_an_empty_body_refused(alice, alice_client):
    ok = alice_client.post(
        "/liaisons/me/feedback/", {"feedback-subject": "培训时间建议", "feedback-body": "建议安排在周五。"}
    )
    bad = alice_client.post("/liaisons/me/feedback/", {"feedback-subject": "只有标题", "feedback-body": ""})

    assert ok.status_code == 302
    assert Feedback.objects.get().subject == "培训时间建议"
    assert bad.status_code == 400
    assert list(bad.context["feedback_form"].errors) == ["body"]
    assert 'value="只有标题"' in bad.content.decode()


def test_fee_handling_is_asked_then_confirmed(alice, alice_client, staff_user):
    _duties(alice, staff_user, articles=0, feedback=0)
    fee = FeePayment.objects.get(year=2024)

    question = alice_client.get(f"/liaisons/me/fees/{fee.pk}/confirm/")
    fee.refresh_from_db()
    assert question.status_code == 200 and fee.handled_by is None

    answer = alice_client.post(f"/liaisons/me/fees/{fee.pk}/confirm/", follow=True)

    fee.refresh_from_db()
    assert fee.handled_by == alice and fee.handled_at is not None
    assert answer.redirect_chain == [("/liaisons/me/#fees", 302)]
    assert "李爱丽" in answer.content.decode()


def test_another_units_fee_cannot_be_confirmed(alice, bob, staff_user):
    _duties(alice, staff_user, articles=0, feedback=0)
    fee = FeePayment.objects.get(year=2024)

    response = client_for(bob.user).post(f"/liaisons/me/fees/{fee.pk}/confirm/")

    assert response.status_code == 404
    fee.refresh_from_db()
    assert fee.handled_by is None


# ---- the photo ----------------------------------------------------------------------------------


def _png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 400), (40, 120, 60)).save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def test_the_photo_is_served_to_the_liaison_and_the_office_only(
    alice, alice_client, bob, carol, staff_client, staff_user
):
    services.liaison_update(alice, actor=staff_user, photo=_png())
    url = f"/liaisons/photos/{alice.pk}.jpg"

    assert f'src="{url}"' in alice_client.get(ME).content.decode()
    mine = alice_client.get(url)
    assert (mine.status_code, mine["Content-Type"]) == (200, "image/jpeg")
    assert staff_client.get(url).status_code == 200
    assert client_for(bob.user).get(url).status_code == 404
    assert client_for(carol.user).get(url).status_code == 404


# ---- PDFs ---------------------------------------------------------------------------------------


def _pdf_text(response):
    from pypdf import PdfReader

    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace(" ", "")


def test_registration_pdf_for_the_units_liaison_and_the_office(alice, alice_client, bob, carol, staff_client):
    url = f"/liaisons/units/{alice.organisation_id}/registration.pdf"

    mine = alice_client.get(url)
    office = staff_client.get(url)

    assert mine.status_code == office.status_code == 200
    assert alice.name in _pdf_text(mine) and alice.name in _pdf_text(office)
    assert client_for(bob.user).get(url).status_code == 404
    assert client_for(carol.user).get(url).status_code == 404


def test_registration_pdf_is_rendered_by_the_documents_module(alice, alice_client):
    response = alice_client.get(f"/liaisons/units/{alice.organisation_id}/registration.pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert "filename*=utf-8''" in response["Content-Disposition"]


# ---- the assessment -------------------------------------------------------------------------------


def test_assessment_ranks_the_liaisons_with_the_criteria(alice, bob, staff_client, staff_user):
    _duties(alice, staff_user)

    response = staff_client.get("/liaisons/assessment/2025/")

    assert response.status_code == 200
    html = response.content.decode()
    (row,) = response.context["ranked"]
    assert (row.liaison, row.rank, row.excellent) == ("李爱丽", 1, True)
    assert f'id="rank-{alice.pk}"' in html and "秦岭煤业有限责任公司" in html
    # 10 + 10 (meeting, training) + 4 (1 article) + 20 × 100 % + 15 (fee on time) + 5 (feedback)
    assert row.score == 64
    for text in (
        "参加联络员会议",
        "投稿采用率",
        "所在单位按时缴纳会费",
        "第七条（五）、第十三条",
        "优秀联络员",
        "2000.00",
    ):
        assert text in html, text
    assert [r.liaison for r in response.context["inactive"]] == ["王博"]
    assert f'href="/liaisons/assessment/2025/letters/{bob.pk}.pdf"' in html
    assert 'href="/exports/"' in html


def test_assessment_is_in_chinese(alice, bob, staff_client, staff_user):
    """Depends on the lead merging /work/notes/po/c.po."""
    _duties(alice, staff_user)

    html = staff_client.get("/liaisons/assessment/2025/").content.decode()

    assert english_words(html, staff_user.profile.name) == []
    assert "联络员考评" in html and "排名" in html and "更换联络员建议函" in html


def test_assessment_index_goes_to_last_year_or_the_picked_one(staff_client, time_machine):
    time_machine.move_to(dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC))

    assert staff_client.get("/liaisons/assessment/")["Location"] == "/liaisons/assessment/2025/"
    assert staff_client.get("/liaisons/assessment/?year=2023")["Location"] == "/liaisons/assessment/2023/"


def test_assessment_of_a_year_out_of_range_is_not_found(staff_client):
    assert staff_client.get("/liaisons/assessment/1999/").status_code == 404
    assert staff_client.get("/liaisons/assessment/2999/").status_code == 404


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_assessment_is_for_the_office_only(who, alice, dave):
    user = alice.user if who == "alice" else dave

    for url in (
        "/liaisons/assessment/",
        "/liaisons/assessment/2025/",
        f"/liaisons/assessment/2025/letters/{alice.pk}.pdf",
    ):
        assert client_for(user).get(url).status_code == 403, url


def test_assessment_sends_an_anonymous_visitor_to_log_in(client):
    response = client.get("/liaisons/assessment/2025/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_replacement_letter_is_a_pdf_for_the_office(bob, staff_client):
    response = staff_client.get(f"/liaisons/assessment/2025/letters/{bob.pk}.pdf")

    assert response.status_code == 200
    text = _pdf_text(response)
    assert "渭北矿业集团" in text and "王博" in text and "第十三条" in text
    assert "attachment" not in response["Content-Disposition"]


def test_replacement_letter_of_a_liaison_not_in_post_that_year_is_not_found(bob, staff_client):
    assert staff_client.get(f"/liaisons/assessment/2023/letters/{bob.pk}.pdf").status_code == 404
    assert staff_client.get("/liaisons/assessment/2025/letters/999999.pdf").status_code == 404


def test_no_replacement_letter_for_a_liaison_who_did_a_duty_that_year(bob, staff_client):
    """第十三条: the suggestion is for one who did nothing in the year; one article is a duty done."""
    services.article_submit(bob, title="安全生产月活动", on=dt.date(2025, 6, 3))

    assert staff_client.get(f"/liaisons/assessment/2025/letters/{bob.pk}.pdf").status_code == 404
