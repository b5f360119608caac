"""Every write of the liaison programme, and the rules that guard it (seed 002).

Each service checks its input, writes in one transaction, records an audit entry and raises
BusinessRuleError (400) or NotPermitted (403) with a message in the user's language; the admin,
the pages, the API, the import and the Celery tasks all call these.
"""

import contextlib
import datetime as dt
import io
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit, dispatch, uploads
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import Organisation, OrganisationNature
from alliance.roles import Role, is_secretariat
from alliance.validation import check_date, check_year

from .enums import ArticleStatus, Association, DeliveryStatus, GatheringKind, MembershipLevel, RequestStatus
from .models import (
    Article,
    Attendance,
    Feedback,
    FeePayment,
    Gathering,
    Handover,
    Liaison,
    Membership,
    Notice,
    NoticeDelivery,
    ProgrammeSettings,
    ResumeEntry,
    UnitChangeRequest,
)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}\Z")  # a mainland mobile number, 11 digits
POSTCODE_RE = re.compile(r"^\d{6}\Z")
PHONE_RE = re.compile(r"^[0-9()+\- —－转]{5,30}\Z")
PHOTO_TYPES = ("jpg", "jpeg", "png")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
THUMBNAIL_SIZE = (240, 320)  # a 3:4 portrait, as on the paper form

# The fields a liaison registration carries (the seed's 会员单位联络员登记), in the form's order.
LIAISON_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "political_status",
    "education",
    "title",
    "position",
    "email",
    "office_phone",
    "mobile",
    "wechat",
    "postcode",
    "recommendation",
    "recommended_on",
    "filing",
    "filed_on",
)
# What a liaison may change on their own record; the rest is the office's (第六条 备案).
SELF_SERVICE_FIELDS = (
    "ethnicity",
    "political_status",
    "education",
    "title",
    "position",
    "email",
    "office_phone",
    "mobile",
    "wechat",
    "postcode",
)
REQUIRED_FIELDS = ("name", "mobile", "email")


# ---- checks -------------------------------------------------------------------------------------


def clean_name(value, *, field="name"):
    """A unit's registered full name, trimmed, with runs of spaces made one (填表说明 2)."""
    name = " ".join(str(value or "").split())
    if not name:
        raise BusinessRuleError(_("Enter the unit's full name as registered with the market regulator."), field=field)
    if len(name) > 200:
        raise BusinessRuleError(_("The name is longer than 200 characters."), field=field)
    return name


def check_nature(value, *, field="nature"):
    if value in ("", None):
        return ""
    if value not in OrganisationNature.values:
        raise BusinessRuleError(
            _("Unknown unit nature %(value)s; choose one of: %(choices)s.")
            % {"value": value, "choices": "、".join(str(label) for label in OrganisationNature.labels)},
            field=field,
        )
    return value


def check_mobile(value, *, field="mobile"):
    value = str(value or "").strip()
    if not MOBILE_RE.match(value):
        raise BusinessRuleError(_("Enter an 11-digit mobile number starting with 1."), field=field)
    return value


def check_postcode(value, *, field="postcode"):
    value = str(value or "").strip()
    if value and not POSTCODE_RE.match(value):
        raise BusinessRuleError(_("A postcode is six digits."), field=field)
    return value


def check_email(value, *, field="email"):
    value = str(value or "").strip()
    try:
        validate_email(value)
    except ValidationError:
        raise BusinessRuleError(_("Enter a valid email address."), field=field) from None
    return value


def check_phone(value, *, field="office_phone"):
    value = str(value or "").strip()
    if value and not PHONE_RE.match(value):
        raise BusinessRuleError(
            _("Enter a telephone number: digits, with an area code and hyphen if needed."), field=field
        )
    return value


def check_liaison_fields(data, *, partial=False):
    """The registration form's values, checked and normalised; unknown keys are ignored.

    `partial`: only the keys given are checked (an update); otherwise name, mobile and email are required.
    """
    if not partial:
        for field in REQUIRED_FIELDS:
            if not str(data.get(field) or "").strip():
                raise BusinessRuleError(_("This field is required."), field=field)
    cleaned = {}
    for field in LIAISON_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "name":
            value = str(value or "").strip()
            if not value:
                raise BusinessRuleError(_("This field is required."), field=field)
            if len(value) > 50:
                raise BusinessRuleError(_("The name is longer than 50 characters."), field=field)
        elif field == "mobile":
            value = check_mobile(value)
        elif field == "email":
            value = check_email(value)
        elif field == "postcode":
            value = check_postcode(value)
        elif field == "office_phone":
            value = check_phone(value)
        elif field == "gender":
            value = value or ""
            if value and value not in ("male", "female"):
                raise BusinessRuleError(_("Gender is male or female."), field=field)
        elif field in ("birth_date", "recommended_on", "filed_on"):
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value) if value else None
                except ValueError:
                    raise BusinessRuleError(_("Enter a date as YYYY-MM-DD."), field=field) from None
            if field == "birth_date" and value is not None:
                if not dt.date(1930, 1, 1) <= value <= timezone.localdate():
                    raise BusinessRuleError(_("Enter a real date of birth."), field=field)
            else:
                check_date(value, field=field)
        else:
            value = str(value or "").strip()
            limit = Liaison._meta.get_field(field).max_length
            if limit and len(value) > limit:
                raise BusinessRuleError(_("This is longer than %(limit)s characters.") % {"limit": limit}, field=field)
        cleaned[field] = value
    return cleaned


def check_resume(entries):
    """Résumé entries [{"start": "2010-07", "end": "2015-03"|None, "description"}] in order (填表说明 5)."""
    cleaned = []
    for index, entry in enumerate(entries or []):
        field = f"resume[{index}]"
        try:
            start = _year_month(entry.get("start"))
            end = _year_month(entry.get("end")) if entry.get("end") else None
        except ValueError:
            raise BusinessRuleError(
                _("Give the year and month as YYYY-MM, from 1930 to this month."), field=field
            ) from None
        if start is None:
            raise BusinessRuleError(_("Give the year and month the post started."), field=field)
        if end is not None and end < start:
            raise BusinessRuleError(_("A post cannot end before it starts."), field=field)
        description = str(entry.get("description") or "").strip()
        if not description:
            raise BusinessRuleError(_("Name the unit and the post."), field=field)
        cleaned.append(ResumeEntry(start=start, end=end, description=description[:200]))
    return cleaned


def _year_month(value):
    """ "2010-07" (or 2010.07, 2010/07, a date) as the first of that month, from 1930 to this month."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        value = value.replace(day=1)
    else:
        year, month = str(value).strip().replace(".", "-").replace("/", "-").split("-")[:2]
        value = dt.date(int(year), int(month), 1)
    if not dt.date(1930, 1, 1) <= value <= timezone.localdate():
        raise ValueError(value)
    return value


def _date(value, *, field):
    """A date from a date or an ISO string (the API and the import give either), checked by check_date."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise BusinessRuleError(_("Enter a date as YYYY-MM-DD."), field=field) from None
    return check_date(value, field=field)


def check_photo(upload):
    """A JPEG or PNG portrait of at most 5 MB, judged on its content (alliance.uploads)."""
    uploads.check_upload(upload, PHOTO_TYPES, field="photo")
    if upload.size > PHOTO_MAX_BYTES:
        raise BusinessRuleError(
            _("The photo is larger than %(limit)s.") % {"limit": uploads.size_label(PHOTO_MAX_BYTES)}, field="photo"
        )
    return upload


def make_thumbnail(upload):
    """A small JPEG of the photo for lists and the printed form (Pillow)."""
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
    upload.seek(0)
    return ContentFile(out.getvalue(), name=f"{Path(upload.name).stem}-thumb.jpg")


def _require_staff(actor):
    if actor is not None and not is_secretariat(actor):
        raise NotPermitted(_("Only the association office may do this."))


# ---- units ----------------------------------------------------------------------------------


@transaction.atomic
def unit_register(
    *, name, nature="", address="", postcode="", actor=None, association=Association.ASSOCIATION, level=None
):
    """Register a member unit in the shared organisation registry (填表说明 2: the registered full name).

    A unit already in the registry with no liaison programme record (an employer or applicant) becomes a
    member unit; a second registration of a member unit is refused.  Side effects: the organisation, an
    optional membership, an audit entry.
    """
    _require_staff(actor)
    name = clean_name(name)
    nature = check_nature(nature)
    postcode = check_postcode(postcode)
    address = str(address or "").strip()[:300]
    organisation = Organisation.objects.select_for_update().filter(name=name).first()
    if organisation is not None and (organisation.memberships.exists() or organisation.liaisons.exists()):
        raise BusinessRuleError(
            _("%(name)s is already a registered member unit.") % {"name": name}, field="name", code="duplicate"
        )
    if organisation is None:
        organisation = Organisation.objects.create(name=name, nature=nature, address=address, postcode=postcode)
    else:
        organisation.nature = nature or organisation.nature
        organisation.address = address or organisation.address
        organisation.postcode = postcode or organisation.postcode
        organisation.save(update_fields=["nature", "address", "postcode"])
    if association:
        membership_set(organisation, association=association, level=level or MembershipLevel.MEMBER, actor=actor)
    audit.record("liaisons.unit.registered", organisation, actor=actor, nature=nature)
    return organisation


def membership_set(organisation, *, association, level=MembershipLevel.MEMBER, joined_on=None, actor=None):
    """Make the unit a member of the 协会 or the 学会 (or change its level)."""
    if association not in Association.values:
        raise BusinessRuleError(_("Choose the association or the society."), field="association")
    if level not in MembershipLevel.values:
        raise BusinessRuleError(_("Unknown membership level."), field="level")
    membership, created = Membership.objects.update_or_create(
        organisation=organisation,
        association=association,
        defaults={"level": level, "joined_on": check_date(joined_on, field="joined_on"), "is_active": True},
    )
    audit.record(
        "liaisons.membership.set", membership, actor=actor, association=association, level=level, created=created
    )
    return membership


def fee_due_on(year):
    settings = ProgrammeSettings.current()
    return dt.date(year, settings.fee_due_month, settings.fee_due_day)


@transaction.atomic
def fee_record(membership, *, year, paid_on=None, amount=None, actor=None):
    """Record the year's fee of a membership (paid or still due); the due date comes from the settings."""
    _require_staff(actor)
    year = check_year(year)
    paid_on = check_date(paid_on, field="paid_on")
    fee, _created = FeePayment.objects.select_for_update().get_or_create(
        membership=membership, year=year, defaults={"due_on": fee_due_on(year)}
    )
    fee.paid_on = paid_on
    fee.amount = amount
    fee.save(update_fields=["paid_on", "amount"])
    audit.record("liaisons.fee.recorded", fee, actor=actor, year=year, paid_on=paid_on, on_time=fee.paid_on_time)
    return fee


@transaction.atomic
def fee_confirm_handling(fee, *, liaison):
    """第七条 五: the unit's liaison confirms they saw to the year's fee; counts as a duty done."""
    fee = FeePayment.objects.select_for_update().select_related("membership").get(pk=fee.pk)
    if fee.membership.organisation_id != liaison.organisation_id or not liaison.is_active:
        raise NotPermitted(_("Only the unit's current liaison confirms its fee handling."))
    if fee.handled_by_id:
        return fee
    fee.handled_by = liaison
    fee.handled_at = timezone.now()
    fee.save(update_fields=["handled_by", "handled_at"])
    audit.record("liaisons.fee.handled", fee, actor=liaison.user, year=fee.year)
    return fee


@transaction.atomic
def unit_update(organisation, *, liaison=None, actor=None, address=None, postcode=None):
    """The unit's address and postcode, changed by the office or the unit's liaison."""
    if liaison is not None:
        _require_current(liaison, organisation)
    elif actor is not None:
        _require_staff(actor)
    changes = {}
    if address is not None:
        changes["address"] = str(address).strip()[:300]
    if postcode is not None:
        changes["postcode"] = check_postcode(postcode)
    for field, value in changes.items():
        setattr(organisation, field, value)
    if changes:
        organisation.save(update_fields=list(changes))
        audit.record("liaisons.unit.updated", organisation, actor=actor or (liaison and liaison.user), **changes)
    return organisation


@transaction.atomic
def unit_change_request(liaison, *, name="", nature="", reason=""):
    """A liaison asks to change the registered name or nature; the office decides (unit_change_resolve)."""
    name = " ".join(str(name or "").split())
    nature = check_nature(nature)
    if not name and not nature:
        raise BusinessRuleError(_("Give the new registered name or the new nature."), field="name")
    if name and len(name) > 200:
        raise BusinessRuleError(_("The name is longer than 200 characters."), field="name")
    organisation = liaison.organisation
    if name == organisation.name and (not nature or nature == organisation.nature):
        raise BusinessRuleError(_("That is already the unit's registered name."), field="name")
    if UnitChangeRequest.objects.filter(organisation=organisation, status=RequestStatus.PENDING).exists():
        raise BusinessRuleError(_("A change request of this unit is already waiting for the office."), field="name")
    request = UnitChangeRequest.objects.create(
        organisation=organisation, requested_by=liaison, name=name, nature=nature, reason=str(reason or "")[:2000]
    )
    audit.record("liaisons.unit.change_requested", request, actor=liaison.user, name=name, nature=nature)
    return request


@transaction.atomic
def unit_change_resolve(request, *, approve, actor, note=""):
    """The office approves (the registry row changes) or rejects a liaison's change request."""
    _require_staff(actor)
    request = UnitChangeRequest.objects.select_for_update().select_related("organisation").get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise BusinessRuleError(_("This request has already been decided."))
    organisation = request.organisation
    if approve:
        if request.name and Organisation.objects.filter(name=request.name).exclude(pk=organisation.pk).exists():
            raise BusinessRuleError(
                _("Another unit is already registered as %(name)s.") % {"name": request.name}, field="name"
            )
        old = {"name": organisation.name, "nature": organisation.nature}
        if request.name:
            organisation.name = request.name
        if request.nature:
            organisation.nature = request.nature
        organisation.save(update_fields=["name", "nature"])
        audit.record("liaisons.unit.renamed", organisation, actor=actor, old=old, name=organisation.name)
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = str(note or "")[:2000]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record("liaisons.unit.change_resolved", request, actor=actor, approved=bool(approve))
    return request


# ---- liaisons and handovers -----------------------------------------------------------------


def _link_user(username, organisation):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        raise BusinessRuleError(
            _("No account with the username %(username)s.") % {"username": username}, field="username"
        )
    if user.is_staff or user.is_superuser:
        raise BusinessRuleError(_("A staff account cannot act as a unit's liaison."), field="username")
    other = Liaison.objects.filter(user=user, is_active=True).exclude(organisation=organisation).first()
    if other is not None:
        raise BusinessRuleError(
            _("%(username)s is already the liaison of %(unit)s.") % {"username": username, "unit": other.organisation},
            field="username",
        )
    return user


@transaction.atomic
def liaison_register(organisation, *, actor=None, username=None, on=None, notes="", resume=(), photo=None, **fields):
    """Register the unit's liaison (the seed's 会员单位联络员登记); a previous one is handed over.

    第四条 one liaison per unit: the current liaison, if any, is ended on `on` and a Handover row keeps
    who handed over to whom (第六条 做好交接); their account loses the liaison role unless it holds
    another unit's post.  `username` links an account, which gets the `liaison` role.
    Side effects: the liaison, résumé entries, a thumbnail of the photo, the handover, audit entries.
    """
    _require_staff(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    cleaned = check_liaison_fields(fields)
    entries = check_resume(resume)
    on = _date(on, field="on") or timezone.localdate()
    user = _link_user(username, organisation) if username else None
    if photo is not None:
        check_photo(photo)
    previous = Liaison.objects.select_for_update().filter(organisation=organisation, is_active=True).first()
    if previous is not None:
        if user is not None and previous.user_id == user.pk:
            raise BusinessRuleError(_("This account already holds the unit's liaison post."), field="username")
        if on < previous.started_on:
            raise BusinessRuleError(
                _("The handover cannot be before the current liaison started (%(date)s).")
                % {"date": previous.started_on.isoformat()},
                field="on",
            )
        _end_post(previous, on=on)
    liaison = Liaison(organisation=organisation, user=user, started_on=on, **cleaned)
    if photo is not None:
        liaison.photo.save(Path(photo.name).name, photo, save=False)
        liaison.thumbnail.save("thumb.jpg", make_thumbnail(photo), save=False)
    liaison.save()
    for entry in entries:
        entry.liaison = liaison
    ResumeEntry.objects.bulk_create(entries)
    if user is not None:
        user.groups.add(Group.objects.get(name=Role.LIAISON))
    if previous is not None:
        handover = Handover.objects.create(
            organisation=organisation,
            from_liaison=previous,
            to_liaison=liaison,
            on=on,
            notes=str(notes or "")[:4000],
            recorded_by=actor,
        )
        audit.record(
            "liaisons.liaison.handover", handover, actor=actor, outgoing=previous.name, incoming=liaison.name, on=on
        )
    audit.record("liaisons.liaison.registered", liaison, actor=actor, unit=organisation.name, account=username or "")
    return liaison


def _end_post(liaison, *, on):
    liaison.is_active = False
    liaison.ended_on = on
    liaison.save(update_fields=["is_active", "ended_on"])
    user = liaison.user
    if user is not None and not Liaison.objects.filter(user=user, is_active=True).exists():
        user.groups.remove(*Group.objects.filter(name=Role.LIAISON))


@transaction.atomic
def liaison_end(liaison, *, on=None, actor=None, notes=""):
    """The unit withdraws its liaison without a successor yet (the unit has none until one is registered)."""
    _require_staff(actor)
    liaison = Liaison.objects.select_for_update().get(pk=liaison.pk)
    if not liaison.is_active:
        raise BusinessRuleError(_("This liaison's post has already ended."))
    on = _date(on, field="on") or timezone.localdate()
    if on < liaison.started_on:
        raise BusinessRuleError(_("The post cannot end before it started."), field="on")
    _end_post(liaison, on=on)
    audit.record("liaisons.liaison.ended", liaison, actor=actor, on=on, notes=str(notes or "")[:500])
    return liaison


def _require_current(liaison, organisation=None):
    if not liaison.is_active or (organisation is not None and liaison.organisation_id != organisation.pk):
        raise NotPermitted(_("Only the unit's current liaison may do this."))


@transaction.atomic
def liaison_update(liaison, *, actor, photo=None, resume=None, **fields):
    """Update a liaison's registration: the office any field, the liaison their own contact details."""
    own = liaison.user_id is not None and actor is not None and actor.pk == liaison.user_id
    if own:
        _require_current(liaison)
        refused = sorted(set(fields) - set(SELF_SERVICE_FIELDS))
        if refused:
            raise NotPermitted(_("The association office changes this field."), field=refused[0])
    else:
        _require_staff(actor)
    cleaned = check_liaison_fields(fields, partial=True)
    for field, value in cleaned.items():
        setattr(liaison, field, value)
    update_fields = list(cleaned)
    if photo is not None:
        check_photo(photo)
        liaison.photo.save(Path(photo.name).name, photo, save=False)
        liaison.thumbnail.save("thumb.jpg", make_thumbnail(photo), save=False)
        update_fields += ["photo", "thumbnail"]
    if update_fields:
        liaison.save(update_fields=update_fields)
    if resume is not None:
        entries = check_resume(resume)
        liaison.resume.all().delete()
        for entry in entries:
            entry.liaison = liaison
        ResumeEntry.objects.bulk_create(entries)
        update_fields.append("resume")
    if update_fields:
        audit.record("liaisons.liaison.updated", liaison, actor=actor, fields=update_fields)
    return liaison


# ---- duties ---------------------------------------------------------------------------------


def check_url(value, *, field="url"):
    value = str(value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise BusinessRuleError(_("Enter a web address starting with http:// or https://."), field=field) from None
    return value


@transaction.atomic
def article_submit(liaison, *, title, url="", on=None):
    """第七条 三: the liaison submits an article for the website; it waits for the office's decision."""
    _require_current(liaison)
    title = str(title or "").strip()
    if not title:
        raise BusinessRuleError(_("Give the article's title."), field="title")
    if len(title) > 200:
        raise BusinessRuleError(_("The title is longer than 200 characters."), field="title")
    article = Article.objects.create(
        liaison=liaison,
        title=title,
        url=check_url(url),
        submitted_on=check_date(on, field="on") or timezone.localdate(),
    )
    audit.record("liaisons.article.submitted", article, actor=liaison.user, unit=liaison.organisation.name)
    return article


@transaction.atomic
def article_decide(article, *, adopted, actor):
    """The office marks a submission adopted or not (第十三条 采用率)."""
    _require_staff(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    status = ArticleStatus.ADOPTED if adopted else ArticleStatus.NOT_ADOPTED
    if article.status == status:
        return article
    article.status = status
    article.decided_by = actor
    article.decided_at = timezone.now()
    article.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record("liaisons.article.decided", article, actor=actor, status=status)
    return article


@transaction.atomic
def feedback_raise(liaison, *, subject, body):
    """第七条 二、四: the liaison raises the unit's opinion or problem with the office."""
    _require_current(liaison)
    subject = str(subject or "").strip()
    body = str(body or "").strip()
    if not subject:
        raise BusinessRuleError(_("Give a subject."), field="subject")
    if len(subject) > 200:
        raise BusinessRuleError(_("The subject is longer than 200 characters."), field="subject")
    if not body:
        raise BusinessRuleError(_("Write what the unit wants to raise."), field="body")
    if len(body) > 5000:
        raise BusinessRuleError(_("The text is longer than 5,000 characters."), field="body")
    feedback = Feedback.objects.create(liaison=liaison, subject=subject, body=body)
    audit.record("liaisons.feedback.raised", feedback, actor=liaison.user, unit=liaison.organisation.name)
    return feedback


@transaction.atomic
def feedback_answer(feedback, *, answer, actor):
    """第三条 三: the office's answer, fed back to the unit (shown on the liaison's page)."""
    _require_staff(actor)
    answer = str(answer or "").strip()
    if not answer:
        raise BusinessRuleError(_("Write the answer."), field="answer")
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    feedback.answer = answer[:5000]
    feedback.answered_by = actor
    feedback.answered_at = timezone.now()
    feedback.save(update_fields=["answer", "answered_by", "answered_at"])
    audit.record("liaisons.feedback.answered", feedback, actor=actor)
    return feedback


@transaction.atomic
def gathering_create(*, kind, title, held_on, place="", agenda="", actor=None):
    """A liaison meeting (第九条) or training (第十一条)."""
    _require_staff(actor)
    if kind not in GatheringKind.values:
        raise BusinessRuleError(_("Choose a meeting or a training."), field="kind")
    title = str(title or "").strip()
    if not title:
        raise BusinessRuleError(_("Give a title."), field="title")
    gathering = Gathering.objects.create(
        kind=kind,
        title=title[:200],
        held_on=check_date(held_on, field="held_on", planned=True),
        place=str(place or "")[:200],
        agenda=str(agenda or ""),
    )
    audit.record("liaisons.gathering.created", gathering, actor=actor, kind=kind)
    return gathering


@transaction.atomic
def attendance_record(gathering, liaisons, *, actor=None):
    """Record who attended; recording someone twice changes nothing. Returns how many were added."""
    _require_staff(actor)
    if gathering.held_on > timezone.localdate():
        raise BusinessRuleError(_("Attendance is recorded once the meeting has taken place."), field="held_on")
    ids = {liaison.pk for liaison in liaisons}
    existing = set(
        Attendance.objects.filter(gathering=gathering, liaison_id__in=ids).values_list("liaison_id", flat=True)
    )
    new = [Attendance(gathering=gathering, liaison_id=pk) for pk in sorted(ids - existing)]
    Attendance.objects.bulk_create(new)
    if new:
        audit.record("liaisons.gathering.attendance", gathering, actor=actor, added=len(new))
    return len(new)


@transaction.atomic
def attendance_remove(gathering, liaisons, *, actor=None):
    """Take back attendance recorded by mistake (it counts in the assessment, so it is audited)."""
    _require_staff(actor)
    ids = sorted({liaison.pk for liaison in liaisons})
    removed, _rows = Attendance.objects.filter(gathering=gathering, liaison_id__in=ids).delete()
    if removed:
        audit.record("liaisons.gathering.attendance_removed", gathering, actor=actor, removed=removed)
    return removed


# ---- notices --------------------------------------------------------------------------------


@transaction.atomic
def notice_send(*, subject, body, actor, liaisons=None):
    """第三条 二: a notice to every current liaison (or the chosen ones), emailed by a Celery task.

    One delivery row per liaison records where it went and when; the task sends only what is not sent yet,
    so a retry never sends a liaison the same notice twice.
    """
    _require_staff(actor)
    subject = str(subject or "").strip()
    body = str(body or "").strip()
    if not subject:
        raise BusinessRuleError(_("Give the notice a subject."), field="subject")
    if len(subject) > 200:
        raise BusinessRuleError(_("The subject is longer than 200 characters."), field="subject")
    if not body:
        raise BusinessRuleError(_("Write the notice's text."), field="body")
    recipients = Liaison.objects.filter(is_active=True)
    if liaisons is not None:
        recipients = recipients.filter(pk__in=[getattr(x, "pk", x) for x in liaisons])
    recipients = list(recipients.only("pk", "email"))
    if not recipients:
        raise BusinessRuleError(_("Choose at least one current liaison."), field="liaisons")
    notice = Notice.objects.create(subject=subject, body=body, sent_by=actor)
    NoticeDelivery.objects.bulk_create(
        NoticeDelivery(notice=notice, liaison_id=liaison.pk, email=liaison.email) for liaison in recipients
    )
    audit.record("liaisons.notice.created", notice, actor=actor, recipients=len(recipients))
    dispatch.after_commit(lambda: _queue_notice(notice.pk))
    return notice


def _queue_notice(notice_pk):
    from .tasks import send_notice

    # With the broker down the beat's sweep (tasks.send_pending_notices) sends it once it is back.
    with contextlib.suppress(dispatch.BrokerUnavailable):
        dispatch.publish(send_notice, notice_id=notice_pk)


def notice_deliver(notice):
    """Email every delivery of the notice not sent yet, one message each; returns (sent, failed).

    Each delivery row is locked while its message goes out, so two workers never send the same one.
    """
    sent = failed = 0
    connection = get_connection()
    pending = list(
        NoticeDelivery.objects.filter(notice=notice, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    for pk in pending:
        with transaction.atomic():
            delivery = (
                NoticeDelivery.objects.select_for_update(skip_locked=True)
                .filter(pk=pk)
                .exclude(status=DeliveryStatus.SENT)
                .first()
            )
            if delivery is None:
                continue
            message = EmailMessage(notice.subject, notice.body, to=[delivery.email], connection=connection)
            try:
                message.send()
            except Exception as exc:  # noqa: BLE001 — recorded on the row; the next run tries again
                delivery.status = DeliveryStatus.FAILED
                delivery.error = str(exc)[:300]
                delivery.save(update_fields=["status", "error"])
                failed += 1
                continue
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
            delivery.error = ""
            delivery.save(update_fields=["status", "sent_at", "error"])
            sent += 1
    if sent or failed:
        audit.record("liaisons.notice.delivered", notice, sent=sent, failed=failed)
    return sent, failed
