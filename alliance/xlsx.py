"""Excel exports and imports (SPEC, Cross-cutting: Exports, Bad input).

Exports use openpyxl's write-only mode, so rows are written as they are produced and
memory stays flat, then the file is streamed to the client in chunks.  Text that a
spreadsheet would take for a formula (starting with = + - @, a tab, CR or NUL) is written
as a plain string cell, never as a formula.

Imports read a whole sheet, validate every row, and either return all rows or raise
`SheetErrors` listing every bad cell, before anything is written.
"""

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from .validation import EARLIEST_DATE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
# Characters XML 1.0 cannot carry; openpyxl raises on them, so they are dropped.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E3EFE5")


def safe_cell(ws, value, *, header=False):
    """A write-only cell holding `value`; strings are always stored as text, never formulas."""
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=_ILLEGAL.sub("", value))
        # openpyxl infers data_type "f" for a leading "="; pin every string to text.
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=float(value))
    else:
        cell = WriteOnlyCell(ws, value=value)
    if header:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    return cell


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: Iterable[Iterable[Any]]
    widths: list[int] = field(default_factory=list)


def _plain(ws, value):
    """What to append for `value`: the value itself on openpyxl's fast path, a text cell only for a
    string that would otherwise be written as a formula; characters XML cannot carry are dropped."""
    if isinstance(value, str):
        if _ILLEGAL.search(value):
            value = _ILLEGAL.sub("", value)
        if value.startswith("="):
            return safe_cell(ws, value)
    return value


PROGRESS_EVERY = 5000


def write_workbook(fileobj, sheets: Iterable[Sheet], *, progress: Callable[[int], None] | None = None):
    """Write sheets to a file object in write-only mode. `progress(n)` is called every 5,000 rows.

    Rows are appended as plain values (openpyxl's fast path, serialised with lxml); only strings
    that need it become cells of their own (see `_plain`).
    """
    wb = Workbook(write_only=True)
    count = 0
    for sheet in sheets:
        ws = wb.create_sheet(title=sheet.title[:31])
        for index, width in enumerate(sheet.widths):
            ws.column_dimensions[_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        ws.append([safe_cell(ws, h, header=True) for h in sheet.headers])
        for row in sheet.rows:
            ws.append([_plain(ws, v) for v in row])
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
    wb.save(fileobj)
    if progress:
        progress(count)
    return count


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def xlsx_response(filename, sheets: Iterable[Sheet]):
    """Stream a workbook as a download; the file is spooled to disk, not held in memory."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after streaming
    write_workbook(tmp, sheets)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


# ---- Import -------------------------------------------------------------------------------


class SheetErrors(Exception):
    """Every problem found in an uploaded sheet; nothing has been written."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))


@dataclass(frozen=True)
class CellError:
    row: int  # the spreadsheet's own row number (header is row 1)
    column: str
    message: str

    def __str__(self):
        return f"row {self.row}, {self.column}: {self.message}" if self.row else f"{self.column}: {self.message}"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Callable[[Any], Any] = str
    required: bool = True


def parse_text(value):
    return str(value).strip()


# What a cell may hold before the importer's own bounds apply: the database's 32-bit integers, amounts
# of at most twelve digits, dates from 2000 (alliance.validation: nothing earlier is plausible).
INT_LIMIT = 2**31 - 1
DECIMAL_LIMIT = Decimal("9999999999.99")


# The parse_* messages are the ones the person who filled in the sheet reads (in the import report),
# translated when raised: the import job runs in the site's language.


def parse_int(value):
    if isinstance(value, bool):
        raise ValueError(gettext("Enter a whole number."))
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(gettext("Enter a whole number."))
    try:
        number = int(str(value).strip().replace(",", "").removesuffix(".0"))
    except ValueError:
        raise ValueError(gettext("Enter a whole number.")) from None
    if abs(number) > INT_LIMIT:
        raise ValueError(gettext("Enter a whole number of at most %(max)s.") % {"max": f"{INT_LIMIT:,}"})
    return number


def parse_decimal(value):
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(gettext("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(gettext("Enter a number."))
    if abs(number) > DECIMAL_LIMIT:
        raise ValueError(gettext("Enter a number of at most %(max)s.") % {"max": f"{DECIMAL_LIMIT:,}"})
    return number


def parse_date(value):
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip().replace("/", "-").replace(".", "-")
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(gettext("Enter a date as YYYY-MM-DD.")) from None
    if value < EARLIEST_DATE:
        raise ValueError(gettext("Enter a date on or after %(date)s.") % {"date": EARLIEST_DATE.isoformat()})
    return value


def _cell(value):
    # calamine gives every number as a float and an empty cell as "": 3.0 is the 3 typed in the cell
    # (an account name or a reference typed as a number reads "12345", not "12345.0").
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None if value == "" else value


def _calamine_rows(fileobj):
    """The first sheet's rows as tuples of cell values, read by calamine (a Rust reader, ~10× openpyxl's
    read-only mode: bench/README.md §3) — values as the file stores them, a formula's cached result."""
    from python_calamine import CalamineWorkbook

    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    workbook = CalamineWorkbook.from_filelike(fileobj)
    sheet = workbook.get_sheet_by_index(0)
    for raw in sheet.iter_rows():
        yield tuple(_cell(v) for v in raw)


def read_sheet(fileobj, columns: list[Column], *, max_rows=50_000):
    """Validate every row of the first sheet against `columns`; return a list of dicts.

    Headers are matched by name (order does not matter).  Raises SheetErrors with every
    problem found: a file that is not .xlsx, missing columns, bad or missing cells.
    """
    try:
        rows = _calamine_rows(fileobj)
        header_row = next(rows, None)
    except Exception as exc:  # calamine's CalamineError, zip errors: not an .xlsx workbook
        raise SheetErrors([CellError(0, "file", f"not a readable .xlsx workbook ({exc.__class__.__name__})")]) from None
    if not header_row:
        raise SheetErrors([CellError(0, "file", "the sheet is empty")])
    positions = {str(h).strip(): i for i, h in enumerate(header_row) if h is not None}
    missing = [c.header for c in columns if c.header not in positions and c.required]
    if missing:
        raise SheetErrors([CellError(1, h, "column is missing") for h in missing])

    result, errors = [], []
    for number, raw in enumerate(rows, start=2):
        if raw is None or all(v is None or str(v).strip() == "" for v in raw):
            continue
        if len(result) >= max_rows:
            errors.append(CellError(number, "file", f"more than {max_rows} rows"))
            break
        item = {"_row": number}
        for column in columns:
            index = positions.get(column.header)
            value = raw[index] if index is not None and index < len(raw) else None
            if value is None or str(value).strip() == "":
                if column.required:
                    errors.append(CellError(number, column.header, "required"))
                item[column.key] = None
                continue
            try:
                item[column.key] = column.parse(value)
            except (ValueError, TypeError) as exc:
                errors.append(CellError(number, column.header, str(exc) or "invalid value"))
        result.append(item)
    if errors:
        raise SheetErrors(errors)
    return result
