"""The API contract end to end, as an outside client (token auth) would use it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import DEFAULT_PASSWORD
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db


def token_client(api_client, username, password=DEFAULT_PASSWORD):
    from rest_framework.test import APIClient

    token = api_client.post("/api/auth/token/", {"username": username, "password": password}, format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    return client


def test_contract_flow_from_creation_to_result(api_client, staff_user):
    staff = token_client(api_client, staff_user.username)
    created_user = staff.post(
        "/api/users/",
        {"username": "zhang_expert", "password": "Expert-pw-2024!", "name": "张专家", "email": "z@example.com",
         "roles": ["expert"]},
        format="json",
    )  # fmt: skip
    assert created_user.status_code == 201
    expert = token_client(api_client, "zhang_expert", "Expert-pw-2024!")

    assessment = staff.post(
        "/api/greenmine/assessments/",
        {"mine_name": "某地下金矿", "variant": "general", "mining_method": "underground", "pass_line": 85},
        format="json",
    ).json()
    base = f"/api/greenmine/assessments/{assessment['id']}/"
    assert staff.post(base + "experts/", {"username": "zhang_expert"}, format="json").status_code == 201
    prerequisites = [
        {"code": code, "passed": True, "record": "查验合格"}
        for code in ("licences", "no_penalties", "not_abnormal", "production_reserves", "outside_red_line")
    ]
    assert expert.put(base + "prerequisites/", prerequisites, format="json").status_code == 200
    catalogue = expert.get("/api/greenmine/catalogue/").json()["items"]
    scores = [
        {"number": i["number"], "score": i["points"], "record": "符合要求"}
        for i in catalogue
        if i["variant"] in (None, "general")
    ]
    scores[8]["score"] = 5  # indicator 9, underground: ① 3 + ③ 2
    assert expert.put(base + "scores/", scores, format="json").status_code == 200
    for number in range(1, 21):
        upload = SimpleUploadedFile(f"{number}.pdf", gm.PDF_BYTES, content_type="application/pdf")
        assert (
            expert.post(base + "evidence/", {"number": number, "file": upload}, format="multipart").status_code == 201
        )

    result = staff.get(base + "result/").json()

    # Evidence only for 1–20: categories four to six count 0 (缺少证明材料不得分); one to three earn 12 + 17 + 18.
    assert result["missing_evidence"] == list(range(25, 50))
    assert result["total"] == 47.0
    assert result["qualified"] is False
    assert [c["max"] for c in result["categories"]] == [12, 20, 18, 20, 18, 12]
    assert result["failed_constraints"] == [27, 29, 30, 31, 32, 33, 34, 35, 37, 38, 39, 40, 41, 48, 49]
    assert result["failed_prerequisites"] == []
    assert staff.get(base + "export.xlsx").status_code == 200
    assert staff.get(base + "report.pdf").status_code == 200
