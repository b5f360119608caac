import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from specialists.enums import SpecialistStatus as S

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exits(db):
    SpecialistFactory(name="张退", status=S.EXITED, exited_on=dt.date(2024, 11, 2), exit_decision="专员委员会表决通过")
    SpecialistFactory(name="赵走", status=S.EXITED, exited_on=dt.date(2023, 5, 1), exit_decision="本人申请")
    SpecialistFactory(name="钱在", status=S.GENERAL)


def test_exit_list_page_lists_exited_specialists(client, exits):
    response = client.get("/specialists/exits/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "张退" in content and "赵走" in content
    assert "钱在" not in content
    assert "专员委员会表决通过" in content


def test_exit_list_page_filters_by_year(client, exits):
    content = client.get("/specialists/exits/", {"year": "2024"}).content.decode()

    assert "张退" in content
    assert "赵走" not in content


def test_exit_list_page_reads_in_chinese(client, exits):
    content = client.get("/specialists/exits/").content.decode()

    assert "退出" in content


def test_exit_list_xlsx(client, exits):
    response = client.get("/specialists/exits.xlsx")

    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0] == ("姓名", "专业委员会", "退出日期", "依据")
    assert [r[0] for r in rows[1:]] == ["张退", "赵走"]
