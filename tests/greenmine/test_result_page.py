"""The result page as staff read it (provisional while scoring, one list of what is missing, totals with two
decimals) and the prerequisites form keeping what was posted when it is refused."""

import re

import pytest

from greenmine import services
from greenmine.models import PrerequisiteCheck
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db

PREREQUISITES = ("licences", "no_penalties", "not_abnormal", "production_reserves", "outside_red_line")


@pytest.fixture
def alice(db):
    return gm.expert("alice", "李专家")


@pytest.fixture
def scoring_assessment(staff_user, alice):
    a = gm.assessment(staff_user)
    gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)
    return a


def _section(html, marker):
    return html.split(marker, 1)[1].split("</section>", 1)[0]


def _verdict(html):
    return re.search(r'id="verdict">(.*?)</p>', html, re.S).group(1)


def test_result_while_scoring_says_scoring_in_progress_not_not_qualified(client, staff_user, scoring_assessment, alice):
    services.scores_save(
        scoring_assessment.assignments.get(), [{"number": 10, "score": "0", "record": "回采率未达标"}], by=alice
    )
    client.force_login(staff_user)

    html = client.get(f"/greenmine/{scoring_assessment.pk}/result/").content.decode()

    assert "评分中" in _verdict(html)
    assert "不达标" not in html  # neither the verdict nor the reasons' heading
    assert "目前存在的问题（暂定）" in _section(html, 'id="reasons"')


def test_result_once_completed_gives_the_verdict(client, staff_user, scoring_assessment, alice):
    gm.full_scores(scoring_assessment.assignments.get(), n10=0)
    gm.evidence_for_all(scoring_assessment, staff_user)
    services.assignment_submit(scoring_assessment.assignments.get(), by=alice)
    services.assessment_complete(scoring_assessment, by=staff_user)
    client.force_login(staff_user)

    html = client.get(f"/greenmine/{scoring_assessment.pk}/result/").content.decode()

    assert "不达标" in _verdict(html)
    assert "评分中" not in _verdict(html)
    assert 'id="provisional"' not in html
    assert "不达标原因" in html


def test_result_lists_the_unscored_indicators_once(client, staff_user, scoring_assessment, alice):
    services.scores_save(
        scoring_assessment.assignments.get(), [{"number": 10, "score": "0", "record": "回采率未达标"}], by=alice
    )
    client.force_login(staff_user)

    html = client.get(f"/greenmine/{scoring_assessment.pk}/result/").content.decode()

    assert html.count("1、2、3、4、5、6、7、8、9、11、") == 1
    assert "尚未评分的指标：1、2、" in _section(html, 'id="reasons"')


def test_result_totals_have_two_decimals(client, staff_user, scoring_assessment, alice):
    # 折合法 on category one (12 points, indicator 1 worth 1 point scored 0.5 → a long fraction).
    gm.full_scores(scoring_assessment.assignments.get(), n1="0.5", n10=0)
    gm.evidence_for_all(scoring_assessment, staff_user)
    client.force_login(staff_user)

    response = client.get(f"/greenmine/{scoring_assessment.pk}/result/")
    html = response.content.decode()

    total = re.search(r'id="total">([^<]*)<', html).group(1)
    assert re.fullmatch(r"\d+\.\d\d", total)
    assert float(total) == response.context["total"]
    assert re.search(r'<p class="muted">达标线 80\.00</p>', html)
    categories = _section(html, 'id="categories"')
    numbers = re.findall(r'<td class="num"[^>]*>([^<]*)<', categories)
    assert numbers  # 5 figures per category
    assert all(re.fullmatch(r"\d+\.\d\d", n) for n in numbers), numbers
    indicators = _section(html, "<h2>三级指标</h2>")
    figures = re.findall(r'<td class="num[^"]*">(\d[\d.]*)', indicators)  # points, the expert's score, mean
    assert len(figures) >= 3 * 40
    assert all(re.fullmatch(r"\d+\.\d\d", n) for n in figures), figures


def test_total_below_the_pass_line_reason_has_two_decimals(client, staff_user, scoring_assessment, alice):
    client.force_login(staff_user)

    html = client.get(f"/greenmine/{scoring_assessment.pk}/result/").content.decode()

    assert re.search(r'id="total">0\.00<', html)
    assert "总得分 0.00 低于达标线 80.00" in _section(html, 'id="reasons"')


def test_refused_prerequisites_form_keeps_the_posted_choices_and_records(client, staff_user):
    a = gm.assessment(staff_user)
    client.force_login(staff_user)
    data = {f"{c}-passed": "yes" for c in PREREQUISITES[:4]}
    data |= {f"{c}-record": f"核查{c}" for c in PREREQUISITES[:3]}  # production_reserves has no record
    data |= {"outside_red_line-passed": "no", "outside_red_line-record": "矿区涉及生态保护红线"}

    response = client.post(f"/greenmine/{a.pk}/prerequisites/", data)
    html = response.content.decode()

    assert response.status_code == 400
    assert not PrerequisiteCheck.objects.filter(assessment=a).exists()  # all or nothing
    for code in PREREQUISITES[:4]:
        assert f'name="{code}-passed" value="yes" checked' in html
        assert f'name="{code}-passed" value="no" checked' not in html
    assert 'name="outside_red_line-passed" value="no" checked' in html
    assert 'value="核查licences"' in html
    assert 'value="矿区涉及生态保护红线"' in html
    fieldset = html.split("<legend>", 5)[4].split("</fieldset>", 1)[0]  # production_reserves, the 4th item
    assert 'name="production_reserves-passed"' in fieldset
    assert 'class="errorlist"' in fieldset


def test_prerequisites_form_saved_redirects_to_the_scoring_page(client, staff_user):
    a = gm.assessment(staff_user)
    client.force_login(staff_user)
    data = {f"{c}-passed": "yes" for c in PREREQUISITES} | {f"{c}-record": "核查" for c in PREREQUISITES}

    response = client.post(f"/greenmine/{a.pk}/prerequisites/", data)

    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "scoring"


def test_category_table_labels_every_figure_for_the_phone_layout(client, staff_user, scoring_assessment):
    # scoring.css stacks `table.data.stack` on a phone; each figure then shows its column name from data-label.
    client.force_login(staff_user)

    html = client.get(f"/greenmine/{scoring_assessment.pk}/result/").content.decode()

    table = html.split('id="categories"', 1)[0].rsplit("<table", 1)[1] + _section(html, 'id="categories"')
    assert 'class="data stack"' in table
    figures = re.findall(r'<td class="num"( data-label="[^"]+")?>', table)
    assert len(figures) == 6 * 4 and all(figures)
