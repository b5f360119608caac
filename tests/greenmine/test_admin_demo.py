import io

import pytest

from greenmine import demo
from greenmine.models import Assessment, Evidence, ExpertScore
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["catalogueversion", "indicator", "provincerule", "assessment", "expertassignment", "expertscore",
              "evidence", "sitevisit"],
)  # fmt: skip
def test_admin_changelists_render(admin_client, model):
    demo.seed(io.StringIO())

    response = admin_client.get(f"/admin/greenmine/{model}/")

    assert response.status_code == 200


def test_admin_assessment_change_page_renders_with_inlines(admin_client):
    demo.seed(io.StringIO())
    assessment = Assessment.objects.get()

    response = admin_client.get(f"/admin/greenmine/assessment/{assessment.pk}/change/")

    assert response.status_code == 200
    assert "indicator-1.pdf" in response.content.decode()


def test_admin_indicator_is_read_only(admin_client):
    response = admin_client.get("/admin/greenmine/indicator/add/")

    assert response.status_code == 403


def test_admin_sends_scores_back_only_through_the_step_that_asks_for_a_reason(admin_client, staff_user):
    # Sending scores back needs a reason (services.assignment_reopen): the admin offers no bulk action,
    # its change page links to the confirmation step, which refuses a blank reason.
    a = gm.assessment(staff_user)
    alice = gm.expert("alice")
    (assignment,) = gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)
    gm.full_scores(assignment)
    from greenmine import services

    services.assignment_submit(assignment, by=alice)
    step = f"/greenmine/{a.pk}/reopen/{assignment.pk}/"

    changelist = admin_client.get("/admin/greenmine/expertassignment/")
    change = admin_client.get(f"/admin/greenmine/expertassignment/{assignment.pk}/change/")
    blank = admin_client.post(step, {"reason": "  "})
    assignment.refresh_from_db()
    assert "reopen_submissions" not in changelist.content.decode()
    assert step in change.content.decode()
    assert blank.status_code == 400 and "请填写退回修改的原因。" in blank.content.decode()
    assert assignment.status == "submitted"

    admin_client.post(step, {"reason": "指标 11 的记录不完整"})

    assignment.refresh_from_db()
    assert assignment.status == "draft"


def test_admin_add_assessment_goes_through_service(admin_client):
    response = admin_client.post(
        "/admin/greenmine/assessment/add/",
        {
            "mine_name": "新增矿山",
            "variant": "aggregate",
            "mining_method": "open_pit",
            "pass_line": "82",
            "province": "",
            "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0",
            "prerequisite_checks-TOTAL_FORMS": "0", "prerequisite_checks-INITIAL_FORMS": "0",
            "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0",
            "site_visits-TOTAL_FORMS": "0", "site_visits-INITIAL_FORMS": "0",
        },
    )  # fmt: skip

    assert response.status_code == 302
    created = Assessment.objects.get(mine_name="新增矿山")
    assert created.catalogue.code == "2024" and str(created.pass_line) == "82.00"


def test_demo_seed_is_idempotent_and_prints_login():
    out = io.StringIO()

    demo.seed(out)
    demo.seed(io.StringIO())

    assert "green-mine expert demo: gm_expert / " in out.getvalue()
    assert Assessment.objects.count() == 1
    assert ExpertScore.objects.count() == 5
    assert Evidence.objects.count() == 4


def test_admin_assign_non_expert_shows_form_error(admin_client, staff_user):
    from tests.factories import UserFactory

    a = gm.assessment(staff_user)
    plain = UserFactory(username="plain")

    response = admin_client.post("/admin/greenmine/expertassignment/add/", {"assessment": a.pk, "expert": plain.pk})

    assert response.status_code == 200
    assert "该用户没有“评审专家”角色。" in response.content.decode()
    assert not a.assignments.exists()


def test_admin_assign_expert_goes_through_service(admin_client, staff_user):
    a = gm.assessment(staff_user)
    alice = gm.expert("alice")

    response = admin_client.post("/admin/greenmine/expertassignment/add/", {"assessment": a.pk, "expert": alice.pk})

    assert response.status_code == 302
    assert list(a.assignments.values_list("expert__username", flat=True)) == ["alice"]


def test_admin_assign_expert_to_completed_assessment_shows_form_error(admin_client, staff_user):
    from greenmine import services

    a = gm.assessment(staff_user)
    alice, bob = gm.expert("alice"), gm.expert("bob")
    (assignment,) = gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)
    gm.full_scores(assignment)
    gm.evidence_for_all(a, staff_user)
    services.assignment_submit(assignment, by=alice)
    services.assessment_complete(a, by=staff_user)

    response = admin_client.post("/admin/greenmine/expertassignment/add/", {"assessment": a.pk, "expert": bob.pk})

    assert response.status_code == 200
    assert "该评价已完成；如需指派专家，请先重新打开评价。" in response.content.decode()
    assert list(a.assignments.values_list("expert__username", flat=True)) == ["alice"]


def test_admin_assessment_change_goes_through_service_and_is_audited(admin_client, staff_user):
    from alliance.models import AuditEntry

    a = gm.assessment(staff_user, mine_name="旧矿名")
    url = f"/admin/greenmine/assessment/{a.pk}/change/"
    page = admin_client.get(url)
    data = {"mine_name": "  新  矿名 ", "organisation": ""}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    a.refresh_from_db()
    assert a.mine_name == "新 矿名"
    entry = AuditEntry.objects.get(action="greenmine.assessment.updated")
    assert entry.data == {"mine_name": ["旧矿名", "新 矿名"]}
    assert entry.object_id == str(a.pk)
