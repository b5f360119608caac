"""The expert's scoring sheet on a tablet: navigator with progress, next unscored, removable evidence,
the not-applicable-without-reason warning and the note on indicators the variant leaves out."""

import pytest
from django.core.files.base import ContentFile
from lxml import html as lxml_html

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from greenmine import selectors, services
from greenmine.models import Evidence, ExpertScore
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def alice(db):
    return gm.expert("alice", "李专家")


@pytest.fixture
def bob(db):
    return gm.expert("bob", "王专家")


@pytest.fixture
def sheet(staff_user, alice, bob):
    a = gm.assessment(staff_user)
    gm.assign(a, staff_user, alice, bob)
    gm.pass_prerequisites(a, staff_user)
    return a


def _assignment(assessment, user):
    return selectors.assignment_of(assessment, user)


def _page(client, assessment):
    response = client.get(f"/greenmine/{assessment.pk}/score/", **ZH)
    assert response.status_code == 200
    return lxml_html.fromstring(response.content.decode())


def _text(node):
    return " ".join(node.text_content().split())


def _score(assignment, *numbers, na=(), reason="本矿不涉及"):
    items = [{"number": n, "score": 0, "record": f"查看第{n}项"} for n in numbers]
    items += [{"number": n, "not_applicable": True, "reason": reason, "record": ""} for n in na]
    services.scores_save(assignment, items, by=assignment.expert, draft=True)


def _upload(assessment, number, by, name):
    upload = ContentFile(gm.PDF_BYTES, name=name)
    upload.content_type = "application/pdf"
    return services.evidence_add(assessment, number=number, upload=upload, by=by)


# ---- navigator and next unscored --------------------------------------------------------------


def test_navigator_counts_the_experts_own_scores_per_category_and_overall(client, sheet, alice, bob):
    _score(_assignment(sheet, alice), 1, 2, 3, 12, na=(7,))
    _score(_assignment(sheet, bob), 4, 5, 6, 8, 9)  # another expert's entries do not count on alice's sheet
    client.force_login(alice)

    doc = _page(client, sheet)

    links = doc.xpath("//nav[@id='sheet-nav']//a")
    assert [link.get("href") for link in links] == [f"#category-{n}" for n in range(1, 7)]
    assert _text(links[0]) == "一、矿区环境 已评 4 / 7"
    assert _text(links[1]) == "二、资源开采 已评 0 / 4"
    assert _text(links[2]) == "三、资源综合利用 已评 1 / 9"  # general variant: 12–20, not 21–24
    assert "done" not in (links[0].get("class") or "")
    # Every link lands on a section of the sheet.
    for link in links:
        assert doc.xpath(f"//section[@id='{link.get('href')[1:]}']")
    # The sticky bar: overall progress over the indicators this mine is scored on.
    assert doc.get_element_by_id("scored-count").text == "5"
    assert doc.get_element_by_id("scored-total").text == str(len(selectors.applicable_indicators(sheet))) == "45"


def test_next_unscored_points_at_the_first_unscored_indicator_in_sheet_order(client, sheet, alice):
    assignment = _assignment(sheet, alice)
    client.force_login(alice)

    assert doc_next(client, sheet) == ("#indicator-1", "下一项未评")

    _score(assignment, 1, 2, 3, 5, na=(4,))
    assert doc_next(client, sheet) == ("#indicator-6", "下一项未评")

    _score(assignment, 6, 7, 8, 9, 10, 11)  # category one done; category three starts at 12 for this variant
    assert doc_next(client, sheet) == ("#indicator-12", "下一项未评")
    doc = _page(client, sheet)
    assert "done" in doc.get_element_by_id("nav-category-1").get("class")
    assert doc.xpath("//article[@id='indicator-12']")  # the anchor exists on the page


def test_a_record_alone_counts_as_scored_but_an_untouched_indicator_does_not(client, sheet, alice):
    client.force_login(alice)
    client.post(f"/greenmine/{sheet.pk}/score/", {"action": "save", "n1-record": "现场查看，分区清楚"}, **ZH)

    doc = _page(client, sheet)

    assert doc.get_element_by_id("scored-count").text == "1"
    assert doc_next(client, sheet)[0] == "#indicator-2"


def test_when_everything_is_scored_the_jump_goes_to_the_submit_buttons(client, sheet, alice):
    gm.full_scores(_assignment(sheet, alice), n7="na")
    client.force_login(alice)

    doc = _page(client, sheet)

    assert doc_next(client, sheet) == ("#sheet-actions", "全部已评，去提交")
    assert doc.xpath("//div[@id='sheet-actions']//button[@id='submit-scores']")
    assert doc.get_element_by_id("scored-count").text == "45"
    assert all("done" in link.get("class") for link in doc.xpath("//nav[@id='sheet-nav']//a"))


def test_submitted_sheet_keeps_the_navigator_but_offers_no_next_unscored(client, sheet, alice):
    assignment = _assignment(sheet, alice)
    gm.full_scores(assignment)
    services.assignment_submit(assignment, by=alice)
    client.force_login(alice)

    doc = _page(client, sheet)

    assert doc.xpath("//nav[@id='sheet-nav']//a")
    assert not doc.xpath("//*[@id='next-unscored']")


def doc_next(client, assessment):
    link = _page(client, assessment).get_element_by_id("next-unscored")
    return link.get("href"), _text(link)


def test_navigator_reads_in_a_constant_number_of_queries(client, sheet, alice, django_assert_max_num_queries):
    client.force_login(alice)
    _page(client, sheet)  # warm the catalogue cache
    gm.full_scores(_assignment(sheet, alice))
    with django_assert_max_num_queries(30) as few:
        _page(client, sheet)
    _score(_assignment(sheet, alice), 1)
    gm.evidence_for_all(sheet, alice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _page(client, sheet)


# ---- the note on indicators the sheet leaves out ---------------------------------------------


def test_general_sheet_says_indicators_21_to_24_are_left_out(client, sheet, alice):
    client.force_login(alice)

    doc = _page(client, sheet)

    (note,) = doc.xpath("//section[@id='category-3']//p[contains(@class, 'left-out')]")
    assert "指标 21–24 适用于砂石、水泥灰岩、建筑石材等行业的矿山" in _text(note)
    assert "不适用于本类矿山，未列入" in _text(note)
    assert not doc.xpath("//article[@id='indicator-21']")
    assert not doc.xpath("//section[@id='category-1']//p[contains(@class, 'left-out')]")


def test_aggregate_sheet_says_indicators_12_to_20_are_left_out(client, staff_user, alice):
    a = gm.assessment(staff_user, variant="aggregate", mining_method="open_pit")
    gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)
    client.force_login(alice)

    doc = _page(client, a)

    (note,) = doc.xpath("//section[@id='category-3']//p[contains(@class, 'left-out')]")
    assert "本表适用于砂石、水泥灰岩、建筑石材等行业的矿山：指标 12–20 适用于非金属" in _text(note)
    assert _text(doc.xpath("//a[@id='nav-category-3']")[0]).endswith("已评 0 / 4")
    assert doc.get_element_by_id("scored-total").text == "40"


def test_a_method_without_text_for_an_indicator_is_noted_too(client, staff_user, alice):
    a = gm.assessment(staff_user, mining_method="oil_gas")
    gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)
    client.force_login(alice)

    doc = _page(client, a)

    (note,) = doc.xpath("//section[@id='category-2']//p[contains(@class, 'left-out')]")
    assert "指标 8 没有针对石油天然气的评分内容" in _text(note)
    assert not doc.xpath("//article[@id='indicator-8']")
    assert doc.get_element_by_id("scored-total").text == "44"


# ---- removing evidence ---------------------------------------------------------------------------


def test_expert_removes_their_wrongly_uploaded_file_before_submitting(
    client, sheet, alice, django_capture_on_commit_callbacks
):
    wrong = _upload(sheet, 8, alice, "错传的文件.pdf")
    kept = _upload(sheet, 8, alice, "采矿许可证.pdf")
    stored = wrong.file.name
    storage = wrong.file.storage
    client.force_login(alice)
    doc = _page(client, sheet)
    (button,) = doc.xpath(f"//button[@form='remove-evidence-{wrong.pk}']")
    (form,) = doc.xpath(f"//form[@id='remove-evidence-{wrong.pk}']")
    assert not form.xpath("ancestor::form")  # its own form, not nested in the scoring form
    assert "错传的文件.pdf" in form.get("data-confirm")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form.get("action"), **ZH)

    assert response.status_code == 302 and response["Location"].endswith("/score/#indicator-8")
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["采矿许可证.pdf"]
    assert not storage.exists(stored) and storage.exists(kept.file.name)
    entry = AuditEntry.objects.get(action="greenmine.evidence.removed")
    assert entry.actor == alice and entry.object_id == str(sheet.pk)
    assert entry.data["number"] == 8 and entry.data["file"] == "错传的文件.pdf"
    html = client.get(response["Location"], **ZH).content.decode()
    assert "已从指标 8（开采方式）删除“错传的文件.pdf”。" in html


def test_removal_is_refused_after_submission_in_chinese_and_the_file_stays(client, sheet, alice):
    assignment = _assignment(sheet, alice)
    evidence = _upload(sheet, 8, alice, "错传的文件.pdf")
    gm.full_scores(assignment)
    services.assignment_submit(assignment, by=alice)
    client.force_login(alice)

    assert not _page(client, sheet).xpath("//form[contains(@class, 'evidence-remove')]")
    response = client.post(f"/greenmine/{sheet.pk}/evidence/{evidence.pk}/remove/", follow=True, **ZH)

    assert "未删除：您的评分已提交并锁定，证明材料不能再删除；如需更正，请秘书处退回修改。" in response.content.decode()
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert not AuditEntry.objects.filter(action="greenmine.evidence.removed").exists()


def test_an_expert_cannot_remove_another_experts_file(client, sheet, alice, bob):
    theirs = _upload(sheet, 8, bob, "王专家的文件.pdf")
    client.force_login(alice)

    assert not _page(client, sheet).xpath(f"//button[@form='remove-evidence-{theirs.pk}']")
    response = client.post(f"/greenmine/{sheet.pk}/evidence/{theirs.pk}/remove/", follow=True, **ZH)

    assert "未删除：只有上传者本人可以删除该文件。" in response.content.decode()
    assert Evidence.objects.filter(pk=theirs.pk).exists()


def test_staff_remove_their_own_file_until_the_assessment_is_completed(sheet, staff_user, alice, bob):
    early = _upload(sheet, 9, staff_user, "传错的.pdf")
    services.evidence_remove(early, by=staff_user)
    assert not Evidence.objects.filter(pk=early.pk).exists()
    evidence = _upload(sheet, 8, staff_user, "秘书处上传.pdf")
    for user in (alice, bob):
        gm.full_scores(_assignment(sheet, user))
        services.assignment_submit(_assignment(sheet, user), by=user)
    services.assessment_complete(sheet, by=staff_user)

    with pytest.raises(BusinessRuleError) as refused:
        services.evidence_remove(evidence, by=staff_user)

    assert refused.value.message == "评价已完成，证明材料不能再删除。"
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_removal_needs_a_post_and_a_visible_assessment(client, sheet, alice):
    evidence = _upload(sheet, 8, alice, "错传的文件.pdf")
    client.force_login(alice)
    assert client.get(f"/greenmine/{sheet.pk}/evidence/{evidence.pk}/remove/").status_code == 405

    client.force_login(gm.expert("carol"))
    assert client.post(f"/greenmine/{sheet.pk}/evidence/{evidence.pk}/remove/").status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()


# ---- not applicable without a reason -------------------------------------------------------------


def test_saving_not_applicable_without_reason_warns_naming_the_indicators(client, sheet, alice):
    client.force_login(alice)
    data = {"action": "save", "n7-na": "1", "n7-reason": "  ", "n13-na": "1", "n5-na": "1", "n5-reason": "无此设施"}

    response = client.post(f"/greenmine/{sheet.pk}/score/", data, follow=True, **ZH)

    html = response.content.decode()
    assert "以下指标标为不涉及但未说明理由（提交前须写明判定依据和理由）：7 绿化效果、13 选矿回收率。" in html
    assert html.index("草稿已保存。") < html.index("以下指标标为不涉及")
    # Saved all the same: a draft may be finished later.
    saved = dict(ExpertScore.objects.filter(assignment__expert=alice).values_list("indicator__number", "reason"))
    assert saved == {5: "无此设施", 7: "", 13: ""}
    doc = lxml_html.fromstring(html)
    flagged = doc.xpath("//article[.//p[contains(@class, 'needs-reason')]]/@id")
    assert flagged == ["indicator-7", "indicator-13"]


def test_saving_with_every_reason_written_gives_no_warning(client, sheet, alice):
    client.force_login(alice)
    data = {"action": "save", "n7-na": "1", "n7-reason": "矿区位于戈壁"}

    html = client.post(f"/greenmine/{sheet.pk}/score/", data, follow=True, **ZH).content.decode()

    assert "未说明理由" not in html
    assert "needs-reason" not in html
