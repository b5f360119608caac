"""The form's checks (附件 2) and who acts: shared by every nominations service."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.roles import Role, has_role, is_secretariat
from alliance.validation import check_int

from ..enums import CHOOSABLE_LEVELS, Field, ProjectType
from ..models import (
    BENEFITS_DETAIL_MAX,
    BENEFITS_MAX,
    TEAM_INTRO_MAX,
    TECH_LEVEL_DETAIL_MAX,
    TECH_LEVEL_MAX,
    TRL_MAX,
    TRL_MIN,
    IndustryCode,
)

PHONE_RE = re.compile(r"^[0-9()+\- —－转、,，]{5,30}\Z")

# 附件 2's limits on the form's free text (不超过 300 字 …), with the name the form gives each box.
TEXT_LIMITS = {
    "team_intro": (TEAM_INTRO_MAX, gettext_lazy("The team introduction")),
    "tech_level": (TECH_LEVEL_MAX, gettext_lazy("The technical level")),
    "tech_level_detail": (TECH_LEVEL_DETAIL_MAX, gettext_lazy("The technical level's detailed material")),
    "benefits": (BENEFITS_MAX, gettext_lazy("The benefits")),
    "benefits_detail": (BENEFITS_DETAIL_MAX, gettext_lazy("The benefits' detailed material")),
}
# Boxes the form leaves unbounded: a bound against pasting a whole document, not a rule of the seed.
OTHER_TEXT_MAX = 2_000
SHORT_FIELDS = {"name": 200, "contact": 50, "phone": 30, "address": 200, "email": 254}
FORM_FIELDS = (
    "name",
    "field",
    "project_type",
    "trl",
    "contact",
    "phone",
    "address",
    "email",
    "team_intro",
    "ip",
    "awards",
    "tech_level",
    "tech_level_detail",
    "benefits",
    "benefits_detail",
    "recommender_opinion",
)
# What a nomination needs before it is submitted (the 推荐表's boxes; IP and awards may be "无").
REQUIRED_TO_SUBMIT = {
    "contact": gettext_lazy("the contact person"),
    "phone": gettext_lazy("the telephone"),
    "address": gettext_lazy("the mailing address"),
    "email": gettext_lazy("the email"),
    "team_intro": gettext_lazy("the team introduction"),
    "tech_level": gettext_lazy("the technical level"),
    "benefits": gettext_lazy("the benefits"),
}


# ---- checks -------------------------------------------------------------------------------------


def normalise_text(value):
    """Text as stored and counted: one kind of line ending, composed characters, no surrounding space."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def char_count(value):
    """Characters as a person counts them (附件 2 不超过 300 字): a Chinese character, a letter, a digit,
    a punctuation mark or a line break is one each."""
    return len(normalise_text(value))


def check_text(value, *, field):
    """A box of the form, normalised; past its limit refused with the limit and the count."""
    text = normalise_text(value)
    limit, label = TEXT_LIMITS.get(field, (OTHER_TEXT_MAX, None))
    if len(text) > limit:
        if label is None:
            message = _("This box has at most %(limit)s characters; it has %(count)s.")
        else:
            message = _("%(label)s has at most %(limit)s characters; it has %(count)s.")
        raise BusinessRuleError(message % {"label": label, "limit": limit, "count": len(text)}, field=field)
    return text


def check_trl(value, *, field="trl"):
    """附件 2 技术就绪水平量值: a whole level from 1 to 9."""
    try:
        return check_int(value, field=field, low=TRL_MIN, high=TRL_MAX)
    except BusinessRuleError:
        raise BusinessRuleError(
            _("The technology readiness level is a whole number from %(low)s to %(high)s.")
            % {"low": TRL_MIN, "high": TRL_MAX},
            field=field,
        ) from None


def check_field(value):
    if value not in Field.values:
        raise BusinessRuleError(
            _("Choose one of the five fields: %(fields)s.") % {"fields": "、".join(str(x) for x in Field.labels)},
            field="field",
        )
    return value


def check_project_type(value):
    if value not in ProjectType.values:
        raise BusinessRuleError(_("Choose applied research or development research."), field="project_type")
    return value


def check_industries(codes):
    """附件 2 重点服务行业: GB/T 4754-2017 codes of groups (中类) or classes (小类); returns the rows."""
    codes = [str(code).strip() for code in (codes or []) if str(code).strip()]
    if len(set(codes)) != len(codes):
        raise BusinessRuleError(_("An industry code is listed twice."), field="industries")
    rows = {row.code: row for row in IndustryCode.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in rows]
    if unknown:
        raise BusinessRuleError(
            _("Not a GB/T 4754-2017 code: %(codes)s.") % {"codes": "、".join(unknown)}, field="industries"
        )
    too_broad = [rows[code] for code in codes if rows[code].level not in CHOOSABLE_LEVELS]
    if too_broad:
        raise BusinessRuleError(
            _("Choose groups (3 digits) or classes (4 digits) of GB/T 4754-2017, not %(codes)s.")
            % {"codes": "、".join(str(row) for row in too_broad)},
            field="industries",
        )
    return [rows[code] for code in codes]


def check_nomination_fields(data):
    """The form's values that are present in `data`, checked and normalised; unknown keys are ignored."""
    cleaned = {}
    for field in FORM_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "field":
            value = check_field(value)
        elif field == "project_type":
            value = check_project_type(value)
        elif field == "trl":
            value = check_trl(value)
        elif field in SHORT_FIELDS:
            value = " ".join(str(value or "").split())
            if len(value) > SHORT_FIELDS[field]:
                raise BusinessRuleError(
                    _("This is longer than %(limit)s characters.") % {"limit": SHORT_FIELDS[field]}, field=field
                )
            if field == "name" and not value:
                raise BusinessRuleError(_("Give the technology's name."), field=field)
            if field == "email" and value:
                try:
                    validate_email(value)
                except ValidationError:
                    raise BusinessRuleError(_("Enter a valid email address."), field=field) from None
            if field == "phone" and value and not PHONE_RE.match(value):
                raise BusinessRuleError(
                    _("Enter a telephone number: digits, with an area code and hyphen if needed."), field=field
                )
        else:
            value = check_text(value, field=field)
        cleaned[field] = value
    return cleaned


def _date_label(value):
    return f"{value.year}年{value.month}月{value.day}日"


def _field_label(field):
    return Field(field).label


def _names(nominations):
    return "、".join(f"“{n.name}”" for n in nominations)


# ---- who acts -----------------------------------------------------------------------------------


def _require_staff(actor):
    if actor is not None and not is_secretariat(actor):
        raise NotPermitted(_("Only the secretariat may do this."))


def unit_of(user):
    """The organisation a user acts for (the shared registry), or None."""
    profile = getattr(user, "profile", None) if user is not None else None
    return getattr(profile, "organisation", None)


def _require_applicant(user):
    """A user with the applicant role and a unit in the registry: their unit nominates."""
    if user is None or not user.is_authenticated or not has_role(user, Role.APPLICANT):
        raise NotPermitted(_("Only a nominating unit's account (the applicant role) may do this."))
    unit = unit_of(user)
    if unit is None:
        raise NotPermitted(_("Your account belongs to no unit; ask the secretariat to record your unit."))
    return unit


def _require_unit_user(user, nomination, *, staff_too=False):
    if staff_too and is_secretariat(user):
        return
    unit = unit_of(user)
    if unit is None or unit.pk != nomination.unit_id or not has_role(user, Role.APPLICANT):
        raise NotPermitted(_("Only the nominating unit may change its nomination."))
