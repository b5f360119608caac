import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from alliance.models import AuditEntry
from greenmine import selectors, services
from greenmine.exports import SEED_COLUMNS
from greenmine.models import Assessment, ExpertScore, PrerequisiteCheck
from tests.factories import UserFactory
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db

BASE = "/api/greenmine/assessments/"


@pytest.fixture
def staff(staff_user):
    return staff_user


@pytest.fixture
def alice(db):
    return gm.expert("alice", "李专家")


@pytest.fixture
def bob(db):
    return gm.expert("bob", "王专家")


@pytest.fixture
def scoring_assessment(staff, alice, bob):
    a = gm.assessment(staff)
    gm.assign(a, staff, alice, bob)
    gm.pass_prerequisites(a, staff)
    return a


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# ---- catalogue and creation ----------------------------------------------------------------


def test_catalogue_api_lists_49_indicators_with_contract_fields(api_client, alice):
    response = as_user(api_client, alice).get("/api/greenmine/catalogue/")

    body = response.json()
    assert response.status_code == 200
    assert body["version"] == "2024"
    assert len(body["items"]) == 49
    assert (
        body["items"][0].items()
        >= {
            "number": 1,
            "category": "矿区环境",
            "name": "功能分区",
            "points": 2.0,
            "attribute": "improvement",
            "variant": None,
        }.items()
    )
    assert [i["variant"] for i in body["items"][11:24]] == ["general"] * 9 + ["aggregate"] * 4
    assert body["items"][7]["attribute"] == "constraint"


def test_create_assessment_by_staff_returns_id_and_default_pass_line(api_client, staff):
    response = as_user(api_client, staff).post(
        BASE, {"mine_name": "某某金矿", "variant": "general", "mining_method": "underground"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["id"] > 0
    assert body["pass_line"] == 80.0
    assert body["status"] == "draft"
    assert body["catalogue"] == "2024"
    saved = Assessment.objects.get(pk=body["id"])
    assert (saved.mine_name, saved.variant, saved.mining_method, saved.pass_line) == (
        "某某金矿",
        "general",
        "underground",
        Decimal("80"),
    )
    assert saved.created_by == staff
    assert AuditEntry.objects.filter(action="greenmine.assessment.created", actor=staff).count() == 1


def test_create_assessment_custom_pass_line(api_client, staff):
    response = as_user(api_client, staff).post(
        BASE,
        {"mine_name": "某砂石矿", "variant": "aggregate", "mining_method": "open_pit", "pass_line": 85},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["pass_line"] == 85.0
    assert Assessment.objects.get(pk=response.json()["id"]).pass_line == Decimal("85")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mine_name": "矿", "variant": "other", "mining_method": "open_pit"}, "variant"),
        ({"mine_name": "矿", "variant": "general", "mining_method": "dredging"}, "mining_method"),
        ({"mine_name": "矿", "variant": "general", "mining_method": "open_pit", "pass_line": 120}, "pass_line"),
        ({"variant": "general", "mining_method": "open_pit"}, "mine_name"),
    ],
)
def test_create_assessment_bad_input_names_the_field(api_client, staff, payload, field):
    response = as_user(api_client, staff).post(BASE, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Assessment.objects.exists()


def test_create_assessment_by_expert_is_forbidden(api_client, alice):
    response = as_user(api_client, alice).post(
        BASE, {"mine_name": "矿", "variant": "general", "mining_method": "open_pit"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "只有秘书处工作人员可以进行此操作。"}
    assert not Assessment.objects.exists()


def test_assign_expert_by_staff(api_client, staff, alice):
    a = gm.assessment(staff)

    response = as_user(api_client, staff).post(f"{BASE}{a.pk}/experts/", {"username": "alice"}, format="json")

    assert response.status_code == 201
    assert list(a.assignments.values_list("expert__username", flat=True)) == ["alice"]


@pytest.mark.parametrize("username", ["nobody", "plainuser"])
def test_assign_expert_rejects_unknown_or_non_expert_user(api_client, staff, username):
    UserFactory(username="plainuser")
    a = gm.assessment(staff)

    response = as_user(api_client, staff).post(f"{BASE}{a.pk}/experts/", {"username": username}, format="json")

    assert response.status_code == 400
    assert "username" in response.json()
    assert not a.assignments.exists()


def test_assign_expert_by_expert_is_forbidden(api_client, staff, alice, bob):
    a = gm.assessment(staff)
    gm.assign(a, staff, alice)

    response = as_user(api_client, alice).post(f"{BASE}{a.pk}/experts/", {"username": "bob"}, format="json")

    assert response.status_code == 403


# ---- prerequisites -------------------------------------------------------------------------


def test_prerequisites_all_passed_moves_to_scoring(api_client, staff, alice):
    a = gm.assessment(staff)
    gm.assign(a, staff, alice)
    codes = ["licences", "no_penalties", "not_abnormal", "production_reserves", "outside_red_line"]
    body = [{"code": c, "passed": True, "record": "证照齐全"} for c in codes]

    response = as_user(api_client, alice).put(f"{BASE}{a.pk}/prerequisites/", body, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "scoring"
    a.refresh_from_db()
    assert a.status == "scoring"
    checks = PrerequisiteCheck.objects.filter(assessment=a).order_by("code")
    assert [(c.code, c.passed, c.record, c.checked_by) for c in checks] == [
        (code, True, "证照齐全", alice) for code in sorted(codes)
    ]


def test_prerequisites_one_failure_ends_it_without_scoring(api_client, staff, alice):
    a = gm.assessment(staff)
    gm.assign(a, staff, alice)
    codes = ["licences", "no_penalties", "not_abnormal", "production_reserves", "outside_red_line"]
    body = [{"code": c, "passed": c != "no_penalties", "record": "核查"} for c in codes]
    client = as_user(api_client, staff)

    client.put(f"{BASE}{a.pk}/prerequisites/", body, format="json")
    scores = as_user(api_client, alice).put(
        f"{BASE}{a.pk}/scores/", [{"number": 1, "score": 2, "record": "x"}], format="json"
    )
    result = as_user(api_client, staff).get(f"{BASE}{a.pk}/result/").json()

    assert scores.status_code == 400
    assert result["qualified"] is False
    assert result["total"] is None
    assert result["failed_prerequisites"] == ["no_penalties"]


def test_prerequisites_unknown_code_writes_nothing(api_client, staff):
    a = gm.assessment(staff)
    body = [{"code": "licences", "passed": True, "record": "ok"}, {"code": "bogus", "passed": True, "record": "ok"}]

    response = as_user(api_client, staff).put(f"{BASE}{a.pk}/prerequisites/", body, format="json")

    assert response.status_code == 400
    assert "code" in response.json()
    assert not PrerequisiteCheck.objects.filter(assessment=a).exists()


# ---- scores --------------------------------------------------------------------------------


def test_scores_put_by_assigned_expert_saves_own_scores(api_client, scoring_assessment, alice):
    body = [
        {"number": 1, "score": 1.5, "record": "管理区、生活区分区不明显"},
        {"number": 44, "inputs": {"items": {"patents": 3}}, "record": "发明专利 3 项"},
        {"number": 7, "not_applicable": True, "reason": "矿区位于荒漠，无绿化条件", "record": ""},
    ]

    response = as_user(api_client, alice).put(f"{BASE}{scoring_assessment.pk}/scores/", body, format="json")

    assert response.status_code == 200
    saved = {s.indicator.number: s for s in ExpertScore.objects.filter(assignment__expert=alice)}
    assert saved[1].score == Decimal("1.5")
    assert saved[44].score == Decimal("1.5")
    assert saved[7].not_applicable is True and saved[7].score is None
    assert AuditEntry.objects.filter(action="greenmine.score.saved", actor=alice).count() == 3


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"number": 8, "score": 3, "record": "x"}, "score"),  # all-or-nothing: 0 or 5
        ({"number": 1, "score": 0.7, "record": "x"}, "score"),  # not on the 0.5 / 1.5 grid
        ({"number": 1, "score": 2.5, "record": "x"}, "score"),
        ({"number": 7, "not_applicable": True, "record": "x"}, "reason"),
        ({"number": 1, "score": 2}, "record"),
        ({"number": 50, "score": 1, "record": "x"}, "number"),
        ({"number": 21, "score": 5, "record": "x"}, "number"),  # the aggregate variant
        ({"number": 1, "record": "x"}, "score"),
    ],
)
def test_scores_put_bad_item_is_400_naming_field_and_writes_nothing(api_client, scoring_assessment, alice, item, field):
    body = [{"number": 2, "score": 2, "record": "配套设施齐全"}, item]

    response = as_user(api_client, alice).put(f"{BASE}{scoring_assessment.pk}/scores/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ExpertScore.objects.exists()


def test_scores_get_shows_only_own_scores(api_client, scoring_assessment, alice, bob):
    gm.full_scores(scoring_assessment.assignments.get(expert=bob), n1="0.5")
    gm.full_scores(scoring_assessment.assignments.get(expert=alice))

    body = as_user(api_client, alice).get(f"{BASE}{scoring_assessment.pk}/scores/").json()

    assert {s["number"]: s["score"] for s in body["scores"]}[1] == 2.0
    assert len(body["scores"]) == 45


def test_expert_cannot_read_result_before_completion(api_client, scoring_assessment, alice):
    response = as_user(api_client, alice).get(f"{BASE}{scoring_assessment.pk}/result/")

    assert response.status_code == 403


def test_staff_who_is_not_assigned_cannot_enter_scores(api_client, scoring_assessment, staff):
    response = as_user(api_client, staff).put(
        f"{BASE}{scoring_assessment.pk}/scores/", [{"number": 1, "score": 2, "record": "x"}], format="json"
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "", None),
        ("get", "result/", None),
        ("get", "scores/", None),
        ("put", "scores/", [{"number": 1, "score": 2, "record": "x"}]),
        ("put", "prerequisites/", [{"code": "licences", "passed": True, "record": "x"}]),
        ("get", "export.xlsx", None),
        ("get", "report.pdf", None),
        ("get", "evidence/", None),
        ("post", "submit/", None),
    ],
)
def test_unassigned_expert_gets_404(api_client, scoring_assessment, method, path, data):
    carol = gm.expert("carol")

    response = getattr(as_user(api_client, carol), method)(f"{BASE}{scoring_assessment.pk}/{path}", data, format="json")

    assert response.status_code == 404


def test_assessment_list_shows_experts_only_their_assignments(api_client, staff, scoring_assessment):
    other = gm.assessment(staff, mine_name="另一矿山")
    carol = gm.expert("carol")
    gm.assign(other, staff, carol)

    mine = [a["mine_name"] for a in as_user(api_client, carol).get(BASE).json()]
    everything = [a["mine_name"] for a in as_user(api_client, staff).get(BASE).json()]

    assert mine == ["另一矿山"]
    assert sorted(everything) == ["另一矿山", "示范石灰石矿"]


def test_anonymous_gets_401_or_403(api_client, scoring_assessment):
    assert api_client.get(f"{BASE}{scoring_assessment.pk}/").status_code in (401, 403)
    assert api_client.get("/api/greenmine/catalogue/").status_code in (401, 403)


# ---- submission ----------------------------------------------------------------------------


def test_submit_locks_scores_until_staff_reopen(api_client, scoring_assessment, alice, staff):
    gm.full_scores(scoring_assessment.assignments.get(expert=alice))
    client = as_user(api_client, alice)
    url = f"{BASE}{scoring_assessment.pk}/"

    submitted = client.post(url + "submit/")
    change = [{"number": 1, "score": 1.5, "record": "复查"}]
    locked = client.put(url + "scores/", change, format="json")
    no_reason = as_user(api_client, staff).post(url + "reopen/", {"username": "alice"}, format="json")
    reopened = as_user(api_client, staff).post(
        url + "reopen/", {"username": "alice", "reason": "指标 1 的检查记录不完整"}, format="json"
    )
    again = as_user(api_client, alice).put(
        url + "scores/", [{"number": 1, "score": 1.5, "record": "复查"}], format="json"
    )

    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert locked.status_code == 400
    assert no_reason.status_code == 400 and no_reason.json() == {"reason": ["请填写退回修改的原因。"]}
    assert reopened.status_code == 200 and reopened.json()["status"] == "draft"
    assert again.status_code == 200


def test_submit_incomplete_table_is_refused_with_missing_numbers(api_client, scoring_assessment, alice):
    services.scores_save(
        scoring_assessment.assignments.get(expert=alice), [{"number": 1, "score": 2, "record": "x"}], by=alice
    )

    response = as_user(api_client, alice).post(f"{BASE}{scoring_assessment.pk}/submit/")

    assert response.status_code == 400
    missing = response.json()["scores"][0]
    assert missing.startswith("请先为每项指标评分或标记为不涉及；尚未完成：2 配套设施、3 标识标牌、")


def test_reopen_by_expert_is_forbidden(api_client, scoring_assessment, alice):
    response = as_user(api_client, alice).post(f"{BASE}{scoring_assessment.pk}/reopen/", {"username": "alice"})

    assert response.status_code == 403


# ---- evidence ------------------------------------------------------------------------------


def test_evidence_upload_and_permission_checked_download(api_client, scoring_assessment, alice):
    upload = SimpleUploadedFile("采矿许可证.pdf", gm.PDF_BYTES, content_type="application/pdf")

    response = as_user(api_client, alice).post(
        f"{BASE}{scoring_assessment.pk}/evidence/", {"number": 8, "file": upload}, format="multipart"
    )
    url = response.json()["url"]
    own = as_user(api_client, alice).get(url)
    other = as_user(api_client, gm.expert("carol")).get(url)

    assert response.status_code == 201
    assert response.json()["number"] == 8
    assert own.status_code == 200 and b"".join(own.streaming_content) == gm.PDF_BYTES
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "请上传以下类型的文件"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "不是 .pdf 文件"),
        ("empty.png", b"", "文件是空的"),
    ],
)
def test_evidence_upload_rejects_bad_files(api_client, scoring_assessment, alice, name, content, message):
    upload = SimpleUploadedFile(name, content)

    response = as_user(api_client, alice).post(
        f"{BASE}{scoring_assessment.pk}/evidence/", {"number": 8, "file": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert message in response.json()["file"][0]
    assert not scoring_assessment.evidence.exists()


def test_evidence_upload_rejects_files_above_the_size_limit(api_client, scoring_assessment, alice, settings):
    settings.MAX_UPLOAD_BYTES = 10
    upload = SimpleUploadedFile("big.pdf", gm.PDF_BYTES)

    response = as_user(api_client, alice).post(
        f"{BASE}{scoring_assessment.pk}/evidence/", {"number": 8, "file": upload}, format="multipart"
    )

    # Refused while the upload streams (alliance.uploads), before the view: 413 naming the field.
    assert response.status_code == 413
    assert response.json() == {"file": ["文件超过 1 KB。"]}
    assert not scoring_assessment.evidence.exists()


def test_result_lists_scores_without_evidence_and_counts_them_zero(api_client, scoring_assessment, alice, staff):
    gm.full_scores(scoring_assessment.assignments.get(expert=alice))
    gm.evidence_for_all(scoring_assessment, staff, except_numbers=[46])
    scoring_assessment.assignments.filter(expert__username="bob").delete()

    body = as_user(api_client, staff).get(f"{BASE}{scoring_assessment.pk}/result/").json()

    assert body["missing_evidence"] == [46]
    assert body["total"] == 98.0
    assert body["qualified"] is True


# ---- result, site visits, exports ----------------------------------------------------------


def test_result_with_failed_constraint_above_80_is_not_qualified(api_client, scoring_assessment, alice, bob, staff):
    gm.full_scores(scoring_assessment.assignments.get(expert=alice), n10=0)
    gm.full_scores(scoring_assessment.assignments.get(expert=bob))
    gm.evidence_for_all(scoring_assessment, staff)

    body = as_user(api_client, staff).get(f"{BASE}{scoring_assessment.pk}/result/").json()

    assert body["total"] == 99.0  # indicator 10: (0 + 2) / 2 = 1
    assert body["failed_constraints"] == [10]
    assert body["qualified"] is False
    assert body["categories"][1] == {
        "number": 2,
        "name": "资源开采",
        "score": 19.0,
        "max": 20.0,
        "earned": 19.0,
        "applicable_points": 20.0,
    }


def test_completed_assessment_keeps_result_and_experts_may_read_it(api_client, scoring_assessment, alice, bob, staff):
    for expert in (alice, bob):
        assignment = scoring_assessment.assignments.get(expert=expert)
        gm.full_scores(assignment, n44=1)
        services.assignment_submit(assignment, by=expert)
    gm.evidence_for_all(scoring_assessment, staff)

    completed = as_user(api_client, staff).post(f"{BASE}{scoring_assessment.pk}/complete/")
    read = as_user(api_client, alice).get(f"{BASE}{scoring_assessment.pk}/result/")

    assert completed.status_code == 200
    assert completed.json()["total"] == 99.0
    assert read.status_code == 200 and read.json()["qualified"] is True


def test_complete_refused_while_an_expert_has_not_submitted(api_client, scoring_assessment, staff):
    response = as_user(api_client, staff).post(f"{BASE}{scoring_assessment.pk}/complete/")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("以下专家尚未提交评分：")


def test_site_visit_recorded_by_expert(api_client, scoring_assessment, alice):
    body = {
        "visited_on": "2024-05-06",
        "visitors": "李专家、王专家",
        "location": "一号排土场",
        "observations": "复垦植被覆盖良好",
        "numbers": [40],
    }

    response = as_user(api_client, alice).post(f"{BASE}{scoring_assessment.pk}/site-visits/", body, format="json")

    assert response.status_code == 201
    assert response.json()["indicators"] == [40]


def test_exports_have_seed_columns_and_report_text(api_client, scoring_assessment, alice, bob, staff):
    gm.full_scores(scoring_assessment.assignments.get(expert=alice), n1="1.5", n7="na")
    gm.full_scores(scoring_assessment.assignments.get(expert=bob), n1="0.5", n7="na")
    gm.evidence_for_all(scoring_assessment, staff)
    client = as_user(api_client, staff)

    xlsx = client.get(f"{BASE}{scoring_assessment.pk}/export.xlsx")
    pdf = client.get(f"{BASE}{scoring_assessment.pk}/report.pdf")

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == SEED_COLUMNS
    assert len(rows) == 1 + 45  # the general variant: 49 − 4 aggregate rows
    assert rows[1][2] == "1 功能分区" and rows[1][9] == 1 and rows[1][7] == "提升性"
    assert "李专家：查看第1项资料" in rows[1][8]
    assert rows[7][9] == "不涉及"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert pdf["Content-Type"] == "application/pdf"
    assert "示范石灰石矿" in text and "分类得分" in text and "李专家" in text


# ---- query count ---------------------------------------------------------------------------


def _result_queries(assessment):
    fresh = type(assessment).objects.select_related("catalogue").get(pk=assessment.pk)
    with CaptureQueriesContext(connection) as ctx:
        selectors.result_payload(fresh)
    return len(ctx.captured_queries)


def test_result_for_5_experts_uses_a_constant_number_of_queries(staff, django_assert_max_num_queries):
    small = gm.assessment(staff, mine_name="一位专家")
    gm.assign(small, staff, gm.expert("solo"))
    gm.pass_prerequisites(small, staff)
    gm.full_scores(small.assignments.get())
    big = gm.assessment(staff, mine_name="五位专家")
    experts = [gm.expert(f"e{i}") for i in range(5)]
    gm.assign(big, staff, *experts)
    gm.pass_prerequisites(big, staff)
    for assignment in big.assignments.all():
        gm.full_scores(assignment)
    gm.evidence_for_all(big, staff)
    assert ExpertScore.objects.filter(assignment__assessment=big).count() == 5 * 45
    fresh = type(big).objects.select_related("catalogue").get(pk=big.pk)

    selectors.catalogue(fresh.catalogue)  # the catalogue is read once per version and process

    with django_assert_max_num_queries(4):  # checks, assignments with experts, scores, evidence
        body = selectors.result_payload(fresh)

    assert body["total"] == 100.0
    assert _result_queries(small) == _result_queries(big)
