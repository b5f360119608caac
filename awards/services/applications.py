"""Applications: the form, its team and attachments (第二十一至二十七条), eligibility and quotas at
submission (第二十三、二十八、二十九条, bans of 第三十三、四十条), the formal check (第三十一条（一）),
withdrawal (第三十三条) and revocation (第三十九、四十条)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import Organisation
from alliance.roles import Role, has_role, is_secretariat
from alliance.uploads import check_upload
from alliance.validation import check_date

from ..enums import (
    BAN_YEARS,
    EDITABLE_STATES,
    GRADE_RANK,
    BanReason,
    Category,
    FormalCheckResult,
    Grade,
    RevocationReason,
)
from ..enums import (
    ApplicationStatus as S,
)
from ..models import (
    Application,
    Attachment,
    AttachmentRequirement,
    Ban,
    CompletingUnit,
    Contributor,
    FormalCheck,
    IneligibilityItem,
    QuotaRule,
    Revocation,
    SpecialGradeLimit,
)
from .workflow import application_set_status, lock, require_office, require_status, today, unit_of

FORM_FIELDS = ("title", "category", "requested_grade", "summary", "appraisal_certificate_no", "appraisal_date")
# 第二十九条: outcomes after which a project may apply again with new substantive progress.
NOT_AWARDED_OUTCOMES = (S.NOT_AWARDED, S.NOT_REVIEWED, S.REJECTED, S.WITHDRAWN, S.REVOKED)
AWARDED_WAIT_YEARS = 2  # 第二十九条: 已获奖满两年


def _grade_label(grade):
    return str(Grade(grade).label)


def _category_label(category):
    return str(Category(category).label)


# ---- quotas (第二十三条) ---------------------------------------------------------------------------


def quota(round_, category, grade):
    """(most contributors, most units) for an award of `grade` in `category`, or None for a special
    prize whose limits the leadership group has not set yet."""
    if grade == Grade.SPECIAL:
        limit = SpecialGradeLimit.objects.filter(round=round_, category=category).first()
        return (limit.max_contributors, limit.max_units) if limit else None
    rule = QuotaRule.objects.get(category=category, grade=grade)
    return rule.max_contributors, rule.max_units


def check_quota(application, grade, *, require_special_limit=False):
    """第二十三条: the main contributors and completing units within the quota of `grade`."""
    limits = quota(application.round, application.category, grade)
    if limits is None:
        if require_special_limit:
            raise BusinessRuleError(
                _("The leadership group has not set the special-prize limits for %(category)s (第二十三条).")
                % {"category": _category_label(application.category)},
                field="grade",
                code="quota",
            )
        return
    most_contributors, most_units = limits
    contributors = application.contributors.count()
    units = application.units.count()
    if contributors > most_contributors:
        raise BusinessRuleError(
            _(
                "“%(title)s” names %(count)s main contributors; a %(grade)s in %(category)s names at most "
                "%(most)s (第二十三条)."
            )
            % {
                "title": application.title,
                "count": contributors,
                "grade": _grade_label(grade),
                "category": _category_label(application.category),
                "most": most_contributors,
            },
            field="contributors",
            code="quota",
        )
    if units > most_units:
        raise BusinessRuleError(
            _(
                "“%(title)s” names %(count)s main completing units; a %(grade)s in %(category)s names at most "
                "%(most)s (第二十三条)."
            )
            % {
                "title": application.title,
                "count": units,
                "grade": _grade_label(grade),
                "category": _category_label(application.category),
                "most": most_units,
            },
            field="units",
            code="quota",
        )


# ---- eligibility at submission (第二十九、三十三、四十条) --------------------------------------------


def active_ban(application):
    """A ban covering the application's round for its unit (or, for a citizen, the person)."""
    bans = Ban.objects.filter(first_year__lte=application.round.year, last_year__gte=application.round.year)
    if application.organisation_id:
        bans = bans.filter(organisation_id=application.organisation_id)
    else:
        bans = bans.filter(user_id=application.applicant_id)
    return bans.order_by("-last_year").first()


def check_eligibility(application):
    """Bans (第三十三、四十条) and the re-application rules (第二十九条), each refused with its reason."""
    ban = active_ban(application)
    if ban is not None:
        raise BusinessRuleError(
            _("%(who)s may not apply from %(first)s to %(last)s: %(reason)s.")
            % {
                "who": ban.organisation or ban.user,
                "first": ban.first_year,
                "last": ban.last_year,
                "reason": BanReason(ban.reason).label,
            },
            field="organisation",
            code="ban",
        )
    previous = application.previous
    if previous is None:
        return
    if previous.round.year >= application.round.year:
        raise BusinessRuleError(_("The earlier application must be from an earlier round."), field="previous")
    if previous.status == S.AWARDED:
        # 第二十九条: 已获奖满两年的项目……如有重大突破或创新，可再次申报更高等级奖项.
        since = application.round.year - previous.round.year
        if since < AWARDED_WAIT_YEARS:
            raise BusinessRuleError(
                _(
                    "“%(title)s” was awarded in %(year)s; an awarded project may apply again from %(from)s, "
                    "for a higher grade (第二十九条)."
                )
                % {
                    "title": previous.title,
                    "year": previous.round.year,
                    "from": previous.round.year + AWARDED_WAIT_YEARS,
                },
                field="previous",
                code="reapplication",
            )
        if GRADE_RANK[application.requested_grade] >= GRADE_RANK[previous.final_grade]:
            raise BusinessRuleError(
                _("“%(title)s” was awarded a %(grade)s; apply again only for a higher grade (第二十九条).")
                % {"title": previous.title, "grade": _grade_label(previous.final_grade)},
                field="requested_grade",
                code="reapplication",
            )
    elif previous.status in NOT_AWARDED_OUTCOMES:
        # 第二十九条: 经评定未授奖的项目，在此后的研究开发中获得新的实质性进展……可以重新申报.
        if not application.new_progress.strip():
            raise BusinessRuleError(
                _("Describe the new substantive progress since the earlier application (第二十九条)."),
                field="new_progress",
                code="reapplication",
            )
    else:
        raise BusinessRuleError(
            _("The earlier application “%(title)s” is still under review.") % {"title": previous.title},
            field="previous",
            code="reapplication",
        )


def is_direct_to_committee(application):
    """第二十九条: a re-application of an awarded project goes straight to the committee."""
    return application.previous_id is not None and application.previous.status == S.AWARDED


# ---- the form --------------------------------------------------------------------------------------


def _require_applicant(user, application=None, *, staff_too=False):
    if staff_too and is_secretariat(user):
        return
    if user is None or not user.is_authenticated or not has_role(user, Role.APPLICANT):
        raise NotPermitted(_("Only an applicant's account may do this."))
    if application is not None and application.applicant_id != user.pk:
        raise NotPermitted(_("Only the applicant may do this."))


def _clean_form(values):
    cleaned = {}
    for name in FORM_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "category" and value not in Category.values:
            raise BusinessRuleError(_("Choose a category."), field=name)
        if name == "requested_grade" and value not in Grade.values:
            raise BusinessRuleError(_("Choose a grade."), field=name)
        if name == "title":
            value = (value or "").strip()
            if not value:
                raise BusinessRuleError(_("This field is required."), field=name)
            if len(value) > 200:
                raise BusinessRuleError(_("At most 200 characters."), field=name)
        if name == "appraisal_date":
            value = check_date(value, field=name)
        cleaned[name] = value if value is not None else ("" if name != "appraisal_date" else None)
    return cleaned


def _organisation(value):
    if isinstance(value, Organisation):
        return value
    name = (value.get("name") if isinstance(value, dict) else value or "").strip()
    if not name:
        raise BusinessRuleError(_("Give the unit's registered full name."), field="units")
    organisation, _created = Organisation.objects.get_or_create(name=name[:200])
    return organisation


def _set_team(application, contributors, units):
    if contributors is not None:
        rows = []
        for order, item in enumerate(contributors, start=1):
            item = {"name": item} if isinstance(item, str) else dict(item)
            name = (item.get("name") or "").strip()
            if not name:
                raise BusinessRuleError(
                    _("Item %(n)s: give the contributor's name.") % {"n": order}, field="contributors"
                )
            rows.append(
                Contributor(
                    application=application,
                    order=order,
                    name=name[:60],
                    unit_name=(item.get("unit") or item.get("unit_name") or "")[:200],
                    title=(item.get("title") or "")[:60],
                    contribution=item.get("contribution") or "",
                )
            )
        application.contributors.all().delete()
        Contributor.objects.bulk_create(rows)
    if units is not None:
        organisations = [_organisation(unit) for unit in units]
        if len({o.pk for o in organisations}) != len(organisations):
            raise BusinessRuleError(_("A unit is listed twice."), field="units")
        application.units.all().delete()
        CompletingUnit.objects.bulk_create(
            CompletingUnit(application=application, organisation=o, order=order)
            for order, o in enumerate(organisations, start=1)
        )


@transaction.atomic
def application_create(
    round_, *, user, contributors=(), units=None, citizen=False, previous=None, new_progress="", **form
):
    """第二十四条: a draft by a unit's account (the unit applies) or a citizen.

    A unit's own application lists the unit first among the completing units unless told otherwise
    (第二十七条: the first completing unit leads).  Side effects: the application, its team, an audit entry.
    """
    _require_applicant(user)
    for required in ("title", "category", "requested_grade"):
        if form.get(required) in (None, ""):
            raise BusinessRuleError(_("This field is required."), field=required)
    unit = None if citizen else unit_of(user)
    if not citizen and unit is None:
        raise NotPermitted(
            _("Your account belongs to no unit; apply as a citizen or ask the office to record your unit.")
        )
    cleaned = _clean_form(form)
    application = Application.objects.create(
        round=round_,
        applicant=user,
        organisation=unit,
        previous=previous,
        new_progress=new_progress or "",
        **cleaned,
    )
    if units is None:
        units = [unit] if unit is not None else []
    _set_team(application, list(contributors), list(units))
    audit.record("awards.application.created", application, actor=user, category=application.category)
    return application


@transaction.atomic
def application_update(application, *, user, contributors=None, units=None, **form):
    """The applicant changes a draft or a correction; the office may change the team until the final
    approval (to bring it within the quota of the final grade).  Side effects: an audit entry."""
    application = lock(application)
    if is_secretariat(user):
        require_status(
            application, *EDITABLE_STATES, S.SUBMITTED, S.PEER_REVIEW, S.COMMITTEE_REVIEW, S.LEADERSHIP_APPROVAL
        )
    else:
        _require_applicant(user, application)
        require_status(application, *EDITABLE_STATES)
    cleaned = _clean_form(form)
    for name in ("previous", "new_progress"):
        if name in form:
            cleaned[name] = form[name] if name == "previous" else (form[name] or "")
    for name, value in cleaned.items():
        setattr(application, name, value)
    application.save()
    _set_team(application, None if contributors is None else list(contributors), None if units is None else list(units))
    changed = sorted(cleaned) + [n for n, v in (("contributors", contributors), ("units", units)) if v is not None]
    audit.record("awards.application.updated", application, actor=user, fields=changed)
    return application


def attachment_kinds(category):
    return list(AttachmentRequirement.objects.filter(category=category).order_by("position"))


@transaction.atomic
def attachment_add(application, *, user, kind, file):
    """第二十六条: an attachment of a kind the category requires; type and size checked on content."""
    application = lock(application)
    if is_secretariat(user):
        pass
    else:
        _require_applicant(user, application)
        require_status(application, *EDITABLE_STATES)
    if not AttachmentRequirement.objects.filter(category=application.category, code=kind).exists():
        raise BusinessRuleError(_("This kind of attachment is not one the category asks for."), field="kind")
    check_upload(file)
    attachment = Attachment.objects.create(application=application, kind=kind, file=file, uploaded_by=user)
    audit.record("awards.attachment.added", application, actor=user, kind=kind, file=attachment.file.name)
    return attachment


def missing_attachments(application):
    present = set(application.attachments.values_list("kind", flat=True))
    return [req for req in attachment_kinds(application.category) if req.required and req.code not in present]


@transaction.atomic
def paper_copies_receive(application, *, by, sets, original, on=None):
    """第二十六条: 纸质文件一式三份，其中一套为原件并注明 — the office records the receipt."""
    require_office(by)
    application = lock(application)
    on = check_date(today(on), field="on")
    application.paper_sets, application.paper_original, application.paper_received_on = int(sets), bool(original), on
    application.save(update_fields=["paper_sets", "paper_original", "paper_received_on", "updated_at"])
    audit.record("awards.paper.received", application, actor=by, sets=int(sets), original=bool(original), on=on)
    return application


def _check_complete(application):
    # 第二十五条: 须是已通过协会鉴定或组评估的科技成果.  For basic research the seed also accepts
    # three peer experts' opinions instead of the certificate (第二十六条（一）4, 第二十八条（三）): the
    # category's required attachment "appraisal_or_opinions" carries either.
    if application.category != Category.BASIC_RESEARCH and not (
        application.appraisal_certificate_no and application.appraisal_date
    ):
        raise BusinessRuleError(
            _("Give the appraisal certificate's number and date: only appraised results may apply (第二十五条)."),
            field="appraisal_certificate_no",
            code="appraisal",
        )
    if not application.contributors.exists():
        raise BusinessRuleError(_("Name at least one main contributor."), field="contributors")
    if application.organisation_id:
        first = application.units.order_by("order").first()
        if first is None or first.organisation_id != application.organisation_id:
            raise BusinessRuleError(_("The applying unit is the first completing unit (第二十七条)."), field="units")
    missing = missing_attachments(application)
    if missing:
        raise BusinessRuleError(
            _("Attach: %(names)s (第二十六条).") % {"names": "；".join(req.name for req in missing)},
            field="attachments",
            code="attachments",
        )


@transaction.atomic
def application_submit(application, *, user, on=None):
    """The applicant submits a draft by the round's deadline, or a correction by its deadline.

    Refused: after the deadline, a ban (第三十三、四十条), the re-application rules (第二十九条), no
    appraisal (第二十五条), the team over the requested grade's quota (第二十三条), a required
    attachment missing (第二十六条).  Side effects: the status, a history row, an audit entry.
    """
    application = lock(application)
    _require_applicant(user, application)
    on = today(on)
    require_status(application, S.DRAFT, S.CORRECTION_REQUESTED)
    if application.status == S.DRAFT and on > application.round.application_deadline:
        raise BusinessRuleError(
            _("Applications closed on %(date)s.") % {"date": application.round.application_deadline.isoformat()},
            code="deadline",
        )
    if application.status == S.CORRECTION_REQUESTED and on > application.correction_deadline:
        raise BusinessRuleError(
            _("The correction was due by %(date)s.") % {"date": application.correction_deadline.isoformat()},
            code="deadline",
        )
    check_eligibility(application)
    _check_complete(application)
    check_quota(application, application.requested_grade)
    facts = {"submitted_at": timezone.now()}
    if application.status == S.CORRECTION_REQUESTED:
        facts["corrected"] = True
    return application_set_status(application, S.SUBMITTED, by=user, **facts)


# ---- the formal check (第三十一条（一）, 第二十八条) -------------------------------------------------------


def _check_answers(answers):
    """Every 第二十八条 item answered true (applies) or false; returns the items that apply."""
    items = list(IneligibilityItem.objects.order_by("position"))
    answers = dict(answers or {})
    unanswered = [item.name for item in items if not isinstance(answers.get(item.code), bool)]
    if unanswered:
        raise BusinessRuleError(
            _("Answer every item of the checklist (第二十八条): %(items)s") % {"items": "；".join(unanswered)},
            field="answers",
        )
    return [item for item in items if answers[item.code]]


@transaction.atomic
def formal_check(application, *, by, result, deadline=None, notes="", answers=None, on=None):
    """The office's formal check of a submitted application.

    - pass: every 第二十八条 item answered and none applies, the paper copies in (3 sets, one
      original) → peer review, or straight to the committee for an awarded project's re-application;
    - correction: a deadline after today → correction requested; a correction that still does not
      conform is not put to review (在规定时间内补正仍不符合要求的，不提交评审);
    - reject: an item of 第二十八条 applies (or the notes say why) → rejected.
    Side effects: a FormalCheck row, the status, a history row, audit entries.
    """
    require_office(by)
    application = lock(application)
    require_status(application, S.SUBMITTED)
    on = today(on)
    notes = notes or ""
    if result == FormalCheckResult.PASS:
        applying = _check_answers(answers)
        if applying:
            raise BusinessRuleError(
                _("Not eligible (第二十八条): %(items)s. Reject the application instead.")
                % {"items": "；".join(item.name for item in applying)},
                field="answers",
            )
        if application.paper_sets < 3 or not application.paper_original:
            raise BusinessRuleError(
                _("Record the paper copies first: three sets, one of them the original (第二十六条)."),
                field="paper_sets",
            )
        target = S.COMMITTEE_REVIEW if is_direct_to_committee(application) else S.PEER_REVIEW
        facts = {}
    elif result == FormalCheckResult.CORRECTION:
        if application.corrected:
            result, target, facts = FormalCheckResult.NOT_CONFORMING, S.NOT_REVIEWED, {}
        else:
            if deadline is None:
                raise BusinessRuleError(_("Give the date by which to correct."), field="deadline")
            check_date(deadline, field="deadline", planned=True)
            if deadline <= on:
                raise BusinessRuleError(_("The correction deadline must be after today."), field="deadline")
            target, facts = S.CORRECTION_REQUESTED, {"correction_deadline": deadline}
        if not notes.strip():
            raise BusinessRuleError(_("Say what must be corrected."), field="notes")
    elif result == FormalCheckResult.REJECT:
        applying = [code for code, value in (answers or {}).items() if value is True]
        if not applying and not notes.strip():
            raise BusinessRuleError(_("Tick the 第二十八条 item that applies or give the reason."), field="notes")
        target, facts = S.REJECTED, {}
    else:
        raise BusinessRuleError(_("Choose pass, correction or reject."), field="result")
    check = FormalCheck.objects.create(
        application=application,
        result=result,
        deadline=deadline if target == S.CORRECTION_REQUESTED else None,
        notes=notes,
        answers=answers or {},
        checked_by=by,
    )
    audit.record("awards.formal_check", application, actor=by, result=result, deadline=deadline, note=notes)
    application_set_status(application, target, by=by, note=notes, **facts)
    return check


@transaction.atomic
def close_overdue_corrections(as_of):
    """逾期不补正……不提交评审: corrections not resubmitted by their deadline are closed on `as_of`
    (the deadline day itself still counts).  Idempotent; returns the applications closed."""
    closed = []
    for application in (
        Application.objects.select_for_update()
        .filter(status=S.CORRECTION_REQUESTED, correction_deadline__lt=as_of)
        .order_by("pk")
    ):
        application_set_status(
            application,
            S.NOT_REVIEWED,
            by=None,
            note=_("Not corrected by %(date)s.") % {"date": application.correction_deadline},
        )
        closed.append(application)
    return closed


# ---- withdrawal and revocation ---------------------------------------------------------------------------


def _ban(application, reason, first_year):
    last_year = first_year + BAN_YEARS[reason] - 1
    ban = Ban.objects.create(
        organisation=application.organisation,
        user=None if application.organisation_id else application.applicant,
        application=application,
        reason=reason,
        first_year=first_year,
        last_year=last_year,
    )
    audit.record("awards.ban.recorded", ban, reason=reason, year=first_year, last_year=last_year)
    return ban


@transaction.atomic
def withdraw(application, *, user, reason):
    """第三十三条: the applicant withdraws in writing after peer review and before the committee
    reviews (no committee score yet), or during public notice — then the unit may not apply in the
    next two rounds.  Side effects: the status, a history row, a ban, audit entries."""
    application = lock(application)
    _require_applicant(user, application)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessRuleError(_("Give the reason in writing."), field="reason")
    if application.status == S.COMMITTEE_REVIEW and application.committee_scores.exists():
        raise BusinessRuleError(
            _("The committee has started reviewing this application; it can no longer be withdrawn (第三十三条)."),
            field="status",
        )
    during_notice = application.status == S.PUBLIC_NOTICE
    application_set_status(application, S.WITHDRAWN, by=user, note=reason)
    if during_notice:
        _ban(application, BanReason.WITHDRAWN_DURING_NOTICE, application.round.year + 1)
    return application


@transaction.atomic
def revoke(application, *, by, reason, details, on=None, ban=False):
    """第三十九、四十条: an award revoked at any time, to be published.  With false data and `ban`
    (情节严重的), the unit may not apply in the next round.  Side effects: the status, a
    Revocation row, a history row, a ban, audit entries."""
    require_office(by)
    application = lock(application)
    if reason not in RevocationReason.values:
        raise BusinessRuleError(_("Choose the reason."), field="reason")
    details = (details or "").strip()
    if not details:
        raise BusinessRuleError(_("Say what was found."), field="details")
    if ban and reason != RevocationReason.FALSE_DATA:
        raise BusinessRuleError(_("Only false data bars a unit from applying (第四十条)."), field="ban")
    on = check_date(today(on), field="on")
    application_set_status(application, S.REVOKED, by=by, note=details)
    revocation = Revocation.objects.create(
        application=application, reason=reason, details=details, decided_on=on, decided_by=by
    )
    audit.record("awards.revoked", application, actor=by, reason=reason, on=on)
    if ban:
        _ban(application, BanReason.FALSE_DATA, on.year + 1)
    return revocation
