"""The registration form (会员单位联络员登记) as an .xlsx import template, and its import (seed 002).

One row of the sheet is one unit with its liaison.  The import is all-or-nothing: every row of the
whole file is checked first and every problem reported at once (row number and the Chinese column
header), and nothing is written if there is any; otherwise everything is written in one
transaction.  Per row:

- a unit not yet registered: the unit and its liaison are created (a bulk path that applies the
  same checks as services.unit_register and services.liaison_register and writes the same audit
  entries, a batch at a time);
- a member unit whose current liaison has the row's name and mobile: nothing to do, so importing the
  same file again changes nothing;
- a member unit with another (or no) current liaison: the row's liaison is registered through
  services.liaison_register, which hands the post over (第六条 做好交接).

Rows are checked and written BATCH_SIZE at a time with the same few queries per batch, whatever its
size; only handovers go through the per-row service.  A cell holding a formula is refused, never
evaluated.
"""

import datetime as dt
import re

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from alliance import imports
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.imports import ImportProblem
from alliance.models import AuditEntry, Organisation, OrganisationNature
from alliance.roles import is_secretariat
from alliance.xlsx import Column, Sheet, parse_text

from . import services
from .enums import Association, MembershipLevel
from .models import Liaison, Membership, ResumeEntry

KEY = "liaisons.registrations"
MAX_ROWS = 20_000
BATCH_SIZE = 2_000

# 填表说明 4: the natures as the form names them.  Full-width brackets are read as half-width.
NATURE_NAMES = {
    OrganisationNature.PUBLIC_INSTITUTION: "事业",
    OrganisationNature.ASSOCIATION: "社团",
    OrganisationNature.SOE_CENTRAL: "央企",
    OrganisationNature.SOE_PROVINCIAL: "省企",
    OrganisationNature.SOE_MUNICIPAL: "市企",
    OrganisationNature.SOE_COUNTY: "县(区)企",
    OrganisationNature.COLLECTIVE: "集体企业(乡镇企业)",
    OrganisationNature.JOINT_VENTURE: "联营企业",
    OrganisationNature.PRIVATE: "民营企业",
}
_NATURES = {**{name: code for code, name in NATURE_NAMES.items()}, **{code: code for code in OrganisationNature.values}}
GENDERS = {"男": "male", "女": "female", "male": "male", "female": "female"}

_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "　": " "})


def parse_nature(value):
    text = " ".join(str(value).translate(_FULL_WIDTH).split())
    if text.startswith("="):
        raise ValueError(_formula_message())
    nature = _NATURES.get(text) or _NATURES.get(text.replace(" ", ""))
    if nature is None:
        raise ValueError(
            _("Unknown unit nature %(value)s; choose one of: %(choices)s.")
            % {"value": text, "choices": "、".join(NATURE_NAMES.values())}
        )
    return nature


def parse_gender(value):
    text = parse_cell(value)
    gender = GENDERS.get(text.lower())
    if gender is None:
        raise ValueError(_("Enter 男 or 女."))
    return gender


def parse_cell(value):
    """Text as typed; a number Excel stored (a mobile, a postcode) without its ".0"."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = parse_text(value)
    if text.startswith("="):
        raise ValueError(_formula_message())
    return text


_DATE_RE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")


def parse_day(value):
    """A date cell, or text as 2024-05-01, 2024.5.1, 2024/5/1 or 2024年5月1日 (birth dates included,
    so no lower bound here: the services check each date's range)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = parse_cell(value)
    match = _DATE_RE.match(text)
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None


_POINT = r"(\d{4})\s*[./\-年]\s*(\d{1,2})\s*月?"
_RESUME_LINE = re.compile(rf"^{_POINT}\s*[-—–~～至到]+\s*(?:{_POINT}|(至今|今))\s*(.+)$")


def parse_resume(value):
    """填表说明 5: one post per line, "2010.07-2015.03 某某公司 技术员", "至今" for the current one."""
    entries = []
    for number, line in enumerate(parse_cell(value).splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _RESUME_LINE.match(line)
        if match is None:
            raise ValueError(
                _(
                    'Line %(n)s of the résumé: write each post as "2010.07-2015.03 unit and post" '
                    '("至今" for the current one).'
                )
                % {"n": number}
            )
        start_year, start_month, end_year, end_month, _now, description = match.groups()
        entries.append(
            {
                "start": f"{start_year}-{start_month}",
                "end": f"{end_year}-{end_month}" if end_year else None,
                "description": description.strip(),
            }
        )
    return entries


def _formula_message():
    return _("This cell holds a formula; enter the value itself.")


# The form's fields in its order (会员单位联络员登记); `key` is the service's field name.
COLUMNS = [
    Column("单位全称", "unit_name", parse_cell),
    Column("单位性质", "nature", parse_nature, required=False),
    Column("通讯地址", "address", parse_cell, required=False),
    Column("邮编", "unit_postcode", parse_cell, required=False),
    Column("姓名", "name", parse_cell),
    Column("性别", "gender", parse_gender, required=False),
    Column("民族", "ethnicity", parse_cell, required=False),
    Column("出生日期", "birth_date", parse_day, required=False),
    Column("政治面貌", "political_status", parse_cell, required=False),
    Column("学历", "education", parse_cell, required=False),
    Column("职称", "title", parse_cell, required=False),
    Column("职务", "position", parse_cell, required=False),
    Column("电子邮箱", "email", parse_cell),
    Column("办公电话", "office_phone", parse_cell, required=False),
    Column("手机", "mobile", parse_cell),
    Column("微信号", "wechat", parse_cell, required=False),
    Column("联络员邮编", "postcode", parse_cell, required=False),
    Column("个人简历", "resume", parse_resume, required=False),
    Column("推荐意见", "recommendation", parse_cell, required=False),
    Column("推荐日期", "recommended_on", parse_day, required=False),
    Column("备案情况", "filing", parse_cell, required=False),
    Column("备案日期", "filed_on", parse_day, required=False),
]
HEADER = {c.key: c.header for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
WIDTHS = [30, 16, 30, 8, 10, 6, 8, 12, 12, 10, 14, 16, 24, 16, 14, 14, 10, 48, 30, 12, 30, 12]
LIAISON_KEYS = tuple(k for k in services.LIAISON_FIELDS if k in HEADER)
UNIT_FIELD = {"name": "unit_name", "nature": "nature", "postcode": "unit_postcode", "address": "address"}

# 填表说明, as the seed prints it, with how each column of the sheet is filled in.
INSTRUCTIONS = [
    ("单位全称", "必填。应填在工商部门注册的名称（填表说明2）；同一单位在一个文件中只能出现一次。"),
    (
        "单位性质",
        "按单位产权关系填写：事业、社团、集体企业(乡镇企业)、联营企业、民营企业；国有企业按隶属关系填写"
        "央企、省企、市企、县(区)企（填表说明4）。也可填写下方“单位性质”表中的代码。",
    ),
    ("通讯地址", "应填写详细，便于往来信件邮寄接收（填表说明3）。"),
    ("邮编", "单位通讯地址的邮政编码，6位数字。"),
    ("姓名", "必填。联络员姓名；每个会员单位确定一名联络员（第四条）。"),
    ("性别", "男 或 女。"),
    ("出生日期", "日期格式，如 1985-06-01。"),
    ("电子邮箱", "必填。"),
    ("手机", "必填。11位手机号码。"),
    ("办公电话", "含区号，如 029-87671711。"),
    ("联络员邮编", "联络员收信地址的邮政编码（如与单位相同可不填）。"),
    (
        "个人简历",
        "从参加工作时间开始依次填写，每个岗位一行，起止时间具体到年、月（填表说明5），"
        "如“2010.07-2015.03 某某公司 技术员”，当前岗位写“2015.04-至今 某某公司 办公室主任”。",
    ),
    ("推荐意见 / 推荐日期", "会员单位推荐意见及日期；纸质登记表加盖单位公章后寄至协会办公室（填表说明6）。"),
    ("备案情况 / 备案日期", "由协会办公室、学会秘书处办公室填写（第六条 备案）。"),
    (
        "更换联络员",
        "已登记的会员单位填写新的联络员即办理更换（第六条），原联络员转入历史记录；"
        "与现任联络员姓名、手机相同的行不作改动。",
    ),
    ("示例", "第2行为填写示例，导入前请删除或改为实际内容。"),
    ("公式", "请直接填写内容，不要使用公式；含公式的单元格将不予导入。"),
    ("其他", "整个文件检查无误后才会导入；任何一行有误，全部不导入，并列出出错的行和列。每个文件最多 20,000 行。"),
]


def template_sheets():
    """The sheet to fill in, with an example row; the instructions and the natures on a second sheet."""
    example = [
        "陕西某某煤业有限责任公司",
        "省企",
        "西安市和平路东十一道巷6号",
        "710001",
        "张三",
        "男",
        "汉族",
        dt.date(1985, 6, 1),
        "中共党员",
        "大学本科",
        "高级工程师",
        "综合办公室主任",
        "zhangsan@example.com",
        "029-87671711",
        "18629253728",
        "zhangsan_wx",
        "710001",
        "2008.07-2015.03 某某矿业公司 技术员\n2015.04-至今 陕西某某煤业有限责任公司 综合办公室主任",
        "同意推荐",
        timezone.localdate(),
        "",
        None,
    ]
    guide = [[field, text] for field, text in INSTRUCTIONS]
    guide.append(["", ""])
    guide.append(["单位性质", "代码"])
    guide.extend([name, code] for code, name in NATURE_NAMES.items())
    return [
        Sheet("会员单位联络员登记", HEADERS, [example], widths=WIDTHS),
        Sheet("填表说明", ["项目", "说明"], guide, widths=[20, 100]),
    ]


# ---- reading --------------------------------------------------------------------------------------


class ImportRejected(BusinessRuleError):
    """The file was not imported; `errors` lists every problem as {"row", "field", "message"}."""

    def __init__(self, problems):
        self.errors = [{"row": p.row, "field": p.column, "message": str(p.message)} for p in problems]
        super().__init__(
            _("The file was not imported: %(n)s problems found; nothing was written.") % {"n": len(self.errors)},
            field="file",
        )


def read_rows(fileobj):
    """Every row of the first sheet as a dict (with "_row" and "_bad"), and every format problem.

    The workbook is read with its formulas as written (data_only=False), so a formula is found and
    refused, never evaluated nor replaced by the value Excel cached for it.
    """
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - zipfile, XML and openpyxl errors all mean the same to the user
        return [], [ImportProblem(0, _("file"), _("This is not a readable .xlsx workbook."))]
    try:
        values = wb.worksheets[0].iter_rows(values_only=True)
        header = next(values, None)
        if not header:
            return [], [ImportProblem(0, _("file"), _("The sheet is empty."))]
        positions = {str(h).strip(): i for i, h in enumerate(header) if h is not None}
        missing = [c.header for c in COLUMNS if c.required and c.header not in positions]
        if missing:
            return [], [ImportProblem(1, h, _("This column is missing.")) for h in missing]
        rows, problems = [], []
        for number, raw in enumerate(values, start=2):
            if raw is None or all(v is None or str(v).strip() == "" for v in raw):
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(
                    ImportProblem(
                        number,
                        _("file"),
                        _("The file has more than %(n)s rows; split it into several files.") % {"n": f"{MAX_ROWS:,}"},
                    )
                )
                break
            rows.append(_read_row(number, raw, positions, problems))
    finally:
        wb.close()
    if not rows and not problems:
        problems.append(ImportProblem(0, _("file"), _("The sheet has no rows to import.")))
    return rows, problems


def _read_row(number, raw, positions, problems):
    row, bad = {"_row": number}, set()
    for column in COLUMNS:
        index = positions.get(column.header)
        value = raw[index] if index is not None and index < len(raw) else None
        row[column.key] = None
        if value is None or str(value).strip() == "":
            if column.required:
                problems.append(ImportProblem(number, column.header, _("Required.")))
                bad.add(column.key)
            continue
        if isinstance(value, str) and value.lstrip().startswith("="):
            problems.append(ImportProblem(number, column.header, _formula_message()))
            bad.add(column.key)
            continue
        try:
            row[column.key] = column.parse(value)
        except (ValueError, TypeError) as exc:
            problems.append(ImportProblem(number, column.header, str(exc) or _("Invalid value.")))
            bad.add(column.key)
    row["_bad"] = bad
    return row


# ---- checking -------------------------------------------------------------------------------------


def _existing_units(names):
    """{name: (pk, is_member, current liaison's (name, mobile) or None)} in two queries."""
    units = {
        name: [pk, member, None]
        for pk, name, member in Organisation.objects.filter(name__in=names)
        .annotate(
            member=Q(Exists(Membership.objects.filter(organisation=OuterRef("pk"))))
            | Q(Exists(Liaison.objects.filter(organisation=OuterRef("pk"))))
        )
        .values_list("pk", "name", "member")
    }
    by_pk = {unit[0]: unit for unit in units.values()}
    for organisation_id, name, mobile in Liaison.objects.filter(organisation_id__in=by_pk, is_active=True).values_list(
        "organisation_id", "name", "mobile"
    ):
        by_pk[organisation_id][2] = (name, mobile)
    return units


def validate(rows):
    """Check every row as the services would; returns (prepared rows, problems).

    A prepared row has "action": "create" (a new unit), "register" (a unit in the registry that gets
    this liaison, by hand-over if it has one) or "same" (its current liaison already: nothing to do).
    """
    prepared, problems, seen = [], [], {}
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        names = set()
        for row in batch:
            if "unit_name" not in row["_bad"]:
                try:
                    row["unit_name"] = services.clean_name(row["unit_name"])
                except BusinessRuleError as exc:
                    problems.append(ImportProblem(row["_row"], HEADER["unit_name"], exc.message))
                    row["_bad"].add("unit_name")
                    continue
                names.add(row["unit_name"])
        existing = _existing_units(names) if names else {}
        for row in batch:
            item = _check_row(row, existing, seen, problems)
            if item is not None:
                prepared.append(item)
    return prepared, problems


def _check_row(row, existing, seen, problems):
    number, bad = row["_row"], row["_bad"]
    found = []

    def problem(key, message):
        found.append(ImportProblem(number, HEADER.get(key, key), str(message)))

    name = row["unit_name"] if "unit_name" not in bad else None
    if name is not None:
        if name in seen:
            problem("unit_name", _("This unit is already on row %(n)s of this file.") % {"n": seen[name]})
        else:
            seen[name] = number
    unit = {"name": name, "nature": row["nature"] or ""}
    if "unit_postcode" not in bad:
        try:
            unit["postcode"] = services.check_postcode(row["unit_postcode"])
        except BusinessRuleError as exc:
            problem("unit_postcode", exc.message)
    unit["address"] = (row["address"] or "")[:300]
    fields = {}
    for key in LIAISON_KEYS:
        if key in bad or row[key] in (None, ""):
            continue
        try:
            fields.update(services.check_liaison_fields({key: row[key]}, partial=True))
        except BusinessRuleError as exc:
            problem(exc.field or key, exc.message)
    resume = []
    if "resume" not in bad and row["resume"]:
        try:
            resume = services.check_resume(row["resume"])
        except BusinessRuleError as exc:
            problem("resume", exc.message)
    problems.extend(found)
    if found or bad:
        return None
    registered = existing.get(name)
    if registered is None:
        action = "create"
    elif registered[1] and registered[2] == (fields["name"], fields["mobile"]):
        action = "same"
    else:
        action = "register"
    return {
        "row": number,
        "action": action,
        "organisation_id": registered[0] if registered else None,
        "member": bool(registered and registered[1]),
        "unit": unit,
        "fields": fields,
        "resume": row["resume"] or [],
        "entries": resume,
    }


# ---- writing --------------------------------------------------------------------------------------


def write_rows(prepared, *, actor, progress=None):
    """Write checked rows (inside the caller's transaction); returns the counts.

    Raises ImportRejected if a service refuses a row (e.g. a hand-over dated before the current
    liaison started); the caller's transaction then writes nothing.
    """
    result = {"units": 0, "liaisons": 0, "unchanged": 0}
    problems = []
    types = {
        "organisation": ContentType.objects.get_for_model(Organisation),
        "membership": ContentType.objects.get_for_model(Membership),
        "liaison": ContentType.objects.get_for_model(Liaison),
    }
    for start in range(0, len(prepared), BATCH_SIZE):
        batch = prepared[start : start + BATCH_SIZE]
        _create_units(batch, actor, types, result)
        for item in batch:
            if item["action"] == "same":
                result["unchanged"] += 1
            elif item["action"] == "register":
                _register(item, actor, result, problems)
        if progress is not None:
            progress(start + len(batch))
    if problems:
        raise ImportRejected(problems)
    return result


def _create_units(batch, actor, types, result):
    """New units, their memberships and liaisons: four bulk inserts and one of audit entries per batch.

    The rows stored are the ones services.unit_register and services.liaison_register store, and the
    audit entries the same ("liaisons.membership.set", "liaisons.unit.registered",
    "liaisons.liaison.registered").
    """
    new = [item for item in batch if item["action"] == "create"]
    if not new:
        return
    today = timezone.localdate()
    units = Organisation.objects.bulk_create(
        Organisation(
            name=i["unit"]["name"],
            nature=i["unit"]["nature"],
            address=i["unit"]["address"],
            postcode=i["unit"].get("postcode", ""),
        )
        for i in new
    )
    # services.unit_register makes a new unit a member of the 协会 (its default association).
    memberships = Membership.objects.bulk_create(
        Membership(organisation=unit, association=Association.ASSOCIATION, level=MembershipLevel.MEMBER)
        for unit in units
    )
    liaisons = Liaison.objects.bulk_create(
        Liaison(organisation=unit, started_on=today, **item["fields"]) for unit, item in zip(units, new, strict=True)
    )
    entries = []
    for liaison, item in zip(liaisons, new, strict=True):
        for entry in item["entries"]:
            entry.liaison = liaison
            entries.append(entry)
    ResumeEntry.objects.bulk_create(entries)
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    audit = []
    for unit, membership, liaison in zip(units, memberships, liaisons, strict=True):
        audit.append(
            AuditEntry(
                action="liaisons.membership.set",
                actor_id=actor_id,
                content_type=types["membership"],
                object_id=str(membership.pk),
                object_repr=str(membership)[:200],
                data={"association": membership.association, "level": membership.level, "created": True},
            )
        )
        audit.append(
            AuditEntry(
                action="liaisons.unit.registered",
                actor_id=actor_id,
                content_type=types["organisation"],
                object_id=str(unit.pk),
                object_repr=str(unit)[:200],
                data={"nature": unit.nature, "import": True},
            )
        )
        audit.append(
            AuditEntry(
                action="liaisons.liaison.registered",
                actor_id=actor_id,
                content_type=types["liaison"],
                object_id=str(liaison.pk),
                object_repr=f"{liaison.name}（{unit.name}）"[:200],
                data={"unit": unit.name, "account": "", "import": True},
            )
        )
    AuditEntry.objects.bulk_create(audit)
    result["units"] += len(units)
    result["liaisons"] += len(liaisons)


def _register(item, actor, result, problems):
    """A unit in the registry: made a member unit if it is not one yet, then the liaison registered
    (a hand-over when the unit has a current liaison)."""
    organisation = Organisation(pk=item["organisation_id"], name=item["unit"]["name"])
    if not item["member"]:
        # An employer or applicant in the registry becomes a member unit (services.unit_register).
        unit = item["unit"]
        try:
            organisation = services.unit_register(
                name=unit["name"],
                nature=unit["nature"],
                address=unit["address"],
                postcode=unit.get("postcode", ""),
                actor=actor,
            )
        except BusinessRuleError as exc:
            key = UNIT_FIELD.get(exc.field, "unit_name")
            problems.append(ImportProblem(item["row"], HEADER[key], exc.message))
            return
        result["units"] += 1
    try:
        services.liaison_register(organisation, actor=actor, resume=item["resume"], **item["fields"])
    except BusinessRuleError as exc:
        # "on" (a hand-over dated before the current liaison started) is about the liaison: 姓名.
        key = "resume" if str(exc.field or "").startswith("resume") else exc.field
        problems.append(ImportProblem(item["row"], HEADER.get(key, HEADER["name"]), exc.message))
        return
    result["liaisons"] += 1


# ---- the two ways in ------------------------------------------------------------------------------


_COLUMN_ORDER = {header: index for index, header in enumerate(HEADERS)}


def _problem_order(problem):
    return (problem.row, _COLUMN_ORDER.get(problem.column, len(_COLUMN_ORDER)))


def import_workbook(fileobj, *, actor):
    """Import a filled-in template at once: {"units": created, "liaisons": registered}.

    All or nothing: raises ImportRejected (with every problem of the file) and writes nothing, or
    writes every row in one transaction.  Side effects: units, liaisons, résumés, hand-overs and
    their audit entries (see the module's docstring).
    """
    if actor is not None and not is_secretariat(actor):
        raise NotPermitted(_("Only the association office may do this."))
    rows, problems = read_rows(fileobj)
    if not rows:
        raise ImportRejected(problems)
    try:
        with transaction.atomic():
            prepared, business = validate(rows)
            problems = sorted([*problems, *business], key=_problem_order)
            if problems:
                raise ImportRejected(problems)
            result = write_rows(prepared, actor=actor)
    except IntegrityError:
        # Another import or a person registered one of these units at the same moment.
        raise ImportRejected(
            [ImportProblem(0, _("file"), _("The registry changed while the file was being imported; import it again."))]
        ) from None
    return {"units": result["units"], "liaisons": result["liaisons"]}


def formula_problems(fileobj):
    """Every cell of the first sheet that holds a formula.

    The background job reads the sheet through alliance.xlsx.read_sheet, which sees a formula's cached
    value (or nothing), not the formula; the job's writer looks again before writing anything.
    """
    wb = load_workbook(fileobj, read_only=True, data_only=False)
    try:
        values = wb.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(values, None) or ()]
        problems = []
        for number, raw in enumerate(values, start=2):
            for index, value in enumerate(raw or ()):
                if isinstance(value, str) and value.lstrip().startswith("="):
                    column = header[index] if index < len(header) and header[index] else _("file")
                    problems.append(ImportProblem(number, column, _formula_message()))
    finally:
        wb.close()
    return problems


def write(prepared, *, job, progress):
    """The background job's writer (alliance.imports): every row in one transaction, all or nothing.

    A file with a formula in any cell is refused here (see formula_problems): the job fails with the
    cells listed in its errors, and nothing is written.
    """
    with job.file.open("rb") as fileobj:
        problems = formula_problems(fileobj)
    if problems:
        type(job).objects.filter(pk=job.pk).update(errors=[p.as_dict() for p in problems[: imports.MAX_STORED_ERRORS]])
        raise ImportRejected(problems)
    with transaction.atomic():
        result = write_rows(prepared, actor=job.requested_by, progress=progress)
    result["recorded"] = result["liaisons"]
    return result


imports.register(
    imports.Importer(
        key=KEY,
        title=gettext_lazy("Member units and liaisons (会员单位联络员登记)"),
        columns=COLUMNS,
        template=template_sheets,
        validate=validate,
        write=write,
        template_filename="会员单位联络员登记导入模板.xlsx",
        max_rows=MAX_ROWS,
        permission=is_secretariat,
    )
)
