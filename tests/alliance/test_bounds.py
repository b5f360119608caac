"""Plausibility bounds (alliance.validation), the API's parser and error format, and the schema."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import time_machine
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from alliance import validation
from alliance.exceptions import BusinessRuleError
from alliance.xlsx import parse_date, parse_decimal, parse_int
from tests.factories import UserFactory

TODAY = dt.date(2025, 6, 10)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, roles=["secretariat"])


# ---- alliance.validation -------------------------------------------------------------------


@time_machine.travel(dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC))
@pytest.mark.parametrize(
    ("value", "planned", "ok"),
    [
        (dt.date(1, 1, 1), False, False),
        (dt.date(1999, 12, 31), False, False),
        (dt.date(2000, 1, 1), False, True),
        (TODAY, False, True),
        (TODAY + dt.timedelta(days=1), False, True),  # time zones
        (TODAY + dt.timedelta(days=2), False, False),
        (TODAY + dt.timedelta(days=366), True, True),
        (TODAY + dt.timedelta(days=367), True, False),
        (dt.date(9999, 12, 31), True, False),
    ],
)
def test_check_date_window(value, planned, ok):
    if ok:
        assert validation.check_date(value, field="on", planned=planned) == value
    else:
        with pytest.raises(BusinessRuleError) as caught:
            validation.check_date(value, field="on", planned=planned)
        assert caught.value.field == "on"


def test_check_not_before_names_the_field():
    with pytest.raises(BusinessRuleError) as caught:
        validation.check_not_before(dt.date(2024, 1, 1), dt.date(2024, 1, 2), field="on", message="too early")

    assert (caught.value.field, caught.value.message) == ("on", "too early")


@pytest.mark.parametrize("username", ["a b/../c", "a b", "a/b", "", "x" * 151, "名 字"])
def test_check_username_refuses_spaces_slashes_and_length(username):
    with pytest.raises(BusinessRuleError):
        validation.check_username(username)


@pytest.mark.parametrize("username", ["zhang.san", "li-si_2", "wang@example.com", "张三"])
def test_check_username_accepts_django_usernames(username):
    assert validation.check_username(username) == username


@pytest.mark.parametrize(
    ("value", "ok"), [("0.01", True), ("10000000", True), ("10000000.01", False), ("0", False), ("1.005", False)]
)
def test_check_amount_bounds_and_fen(value, ok):
    if ok:
        assert validation.check_amount(value) == Decimal(value)
    else:
        with pytest.raises(BusinessRuleError):
            validation.check_amount(value)


def test_item_errors_line_up_with_the_items():
    def check(index, item):
        if item < 0:
            raise BusinessRuleError("negative", field="n")
        return item * 2

    with translation.override("en"):
        with pytest.raises(validation.ItemErrors) as caught:
            validation.ItemErrors.collect([1, -1, 2, -2], check)
        body = caught.value.as_dict()

    assert body == {
        "n": ["Item 2: negative", "Item 4: negative"],
        "items": [{}, {"n": ["negative"]}, {}, {"n": ["negative"]}],
    }
    assert validation.ItemErrors.collect([1, 2], check) == [2, 4]


# ---- the xlsx import's cells ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["3000000000", 3_000_000_000, "-3000000000"])
def test_parse_int_refuses_numbers_past_32_bits(value):
    with pytest.raises(ValueError, match="请填写不超过 2,147,483,647 的整数。"):
        parse_int(value)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e20"])
def test_parse_decimal_refuses_non_finite_and_huge_numbers(value):
    with pytest.raises(ValueError):
        parse_decimal(value)


@pytest.mark.parametrize("value", ["0001-01-01", dt.date(1999, 12, 31), dt.datetime(999, 1, 1)])
def test_parse_date_refuses_dates_before_2000(value):
    with pytest.raises(ValueError, match="2000-01-01"):
        parse_date(value)


def test_parse_int_and_date_still_read_ordinary_cells():
    assert parse_int("1,200") == 1200
    assert parse_date("2024/03/01") == dt.date(2024, 3, 1)


# ---- users API -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["a b/../c", "with space", "slash/name"])
def test_user_create_refuses_username_with_spaces_or_slashes(api_client, superuser, username):
    api_client.force_authenticate(superuser)

    response = api_client.post(
        "/api/users/", {"username": username, "password": "pw-Secret-123", "roles": ["expert"]}, format="json"
    )

    assert response.status_code == 400
    assert "username" in response.json()
    assert not get_user_model().objects.filter(username=username).exists()


def test_user_create_service_refuses_bad_username(db):
    from alliance import services

    with pytest.raises(BusinessRuleError) as caught:
        services.user_create(username="a b/../c", password="pw-Secret-123")

    assert caught.value.field == "username"


# ---- parser and error format ---------------------------------------------------------------


def _nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/users/", "/api/greenmine/assessments/"])
def test_deeply_nested_json_is_400_not_500(api_client, superuser, path):
    api_client.force_authenticate(superuser)

    response = api_client.generic("POST", path, _nested(2048), content_type="application/json")

    assert response.status_code == 400
    assert "嵌套过深" in response.json()["detail"]  # nested too deeply


def test_moderately_nested_json_is_parsed(api_client, superuser):
    api_client.force_authenticate(superuser)
    body = {"username": "deep", "password": "pw-Secret-123", "roles": ["expert"], "name": "x"}

    response = api_client.generic("POST", "/api/users/", json.dumps(body), content_type="application/json")

    assert response.status_code == 201


def test_unparseable_json_is_400_with_a_string_detail(api_client, superuser):
    api_client.force_authenticate(superuser)

    response = api_client.generic("POST", "/api/users/", "{nope", content_type="application/json")

    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)


def test_api_dates_are_iso_8601(settings):
    assert settings.REST_FRAMEWORK["DATE_FORMAT"] == "iso-8601"


# ---- the OpenAPI schema --------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_schema_generates_without_warnings(schema):
    assert schema["openapi"].startswith("3.")


def test_schema_documents_prerequisites_as_a_list(schema):
    get = schema["paths"]["/api/greenmine/assessments/{id}/prerequisites/"]["get"]

    assert get["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"


def test_schema_documents_error_answers(schema):
    put = schema["paths"]["/api/greenmine/assessments/{id}/scores/"]["put"]

    assert {"200", "400", "403", "404", "415"} <= set(put["responses"])
    assert put["responses"]["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_schema_documents_numeric_bounds(schema):
    activity = schema["components"]["schemas"]["Activity"]["properties"]

    assert activity["quantity"]["maximum"] == validation.MAX_QUANTITY
    assert schema["components"]["schemas"]["UserCreate"]["properties"]["username"]["pattern"]
