"""The audit log every state change, score and vote writes to (SPEC, Cross-cutting: Audit)."""

import contextlib
import contextvars
import json
from importlib import import_module

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


def _jsonable(data):
    # Dates, decimals and lazy strings become JSON-safe values once, here.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def record(action, obj=None, *, actor=None, **data):
    """Append one audit entry and return it.

    `actor` is the user who caused the change (None for rules run by the system);
    `data` holds the facts worth keeping (old and new values, the rule applied, ...).
    """
    entry = AuditEntry(action=action, actor=actor if getattr(actor, "pk", None) else None, data=_jsonable(data))
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry


# ---- Reading the log: every action and the facts it keeps, named for the people who read it ----------

# Every action code `record` is called with, and its name in the admin, the exports and the API's reader.
# tests/alliance/test_admin_chinese.py checks that every code the project records is here.
ACTION_LABELS = {
    "alliance.login.lockout_lifted": _("Login lockout lifted"),
    "organisation.created": _("Organisation registered"),
    "user.created": _("Account created"),
    "export.requested": _("Export requested"),
    "export.retried": _("Export sent again"),
    "import.requested": _("Import started"),
    "import.retried": _("Import sent again"),
    "import.done": _("Import finished"),
    "worker.ping": _("Background worker check"),
    "specialist.created": _("Specialist application registered"),
    "specialist.status": _("Specialist status changed"),
    "specialist.points": _("Points recorded"),
    "specialist.points_reversed": _("Points entry reversed"),
    "specialist.attended": _("Attendance recorded"),
    "specialist.redeemed": _("Points redeemed"),
    "specialist.redemption_fulfilled": _("Redemption fulfilled"),
    "specialist.redemption_cancelled": _("Redemption cancelled and refunded"),
    "specialist.transfer": _("Points transferred"),
    "specialist.liaison": _("Liaison assigned"),
    "specialist.liaison_change_requested": _("Change of liaison requested"),
    "specialist.liaison_change_declined": _("Change of liaison declined"),
    "specialist.liaison_change_resolved": _("Change of liaison resolved by assigning a liaison"),
    "specialist.document_requested": _("Paper copies requested"),
    "specialist.document_sent": _("Paper copies sent"),
    "specialist.document_issued": _("Certificate issued"),
    "specialist.document_render_again": _("Certificate rendered again"),
    "specialist.committee_joined": _("Joined a professional committee"),
    "specialist.vote": _("Vote cast"),
    "specialist.motion_closed": _("Vote closed"),
    "specialist.excellent_nominated": _("Nominated as excellent specialist"),
    "greenmine.assessment.created": _("Assessment created"),
    "greenmine.assessment.updated": _("Assessment changed"),
    "greenmine.assessment.status": _("Assessment status changed"),
    "greenmine.assessment.result": _("Assessment result kept"),
    "greenmine.expert.assigned": _("Expert assigned"),
    "greenmine.prerequisite.checked": _("Prerequisite checked"),
    "greenmine.score.saved": _("Indicator score saved"),
    "greenmine.scores.submitted": _("Scores submitted"),
    "greenmine.scores.reopened": _("Submitted scores reopened"),
    "greenmine.evidence.added": _("Evidence uploaded"),
    "greenmine.evidence.removed": _("Evidence removed"),
    "greenmine.site_visit.recorded": _("Site visit recorded"),
    "liaisons.unit.registered": _("Member unit registered"),
    "liaisons.unit.updated": _("Member unit's address changed"),
    "liaisons.unit.change_requested": _("Change of registered name or nature requested"),
    "liaisons.unit.change_resolved": _("Change of registered name or nature decided"),
    "liaisons.unit.renamed": _("Member unit's registered name or nature changed"),
    "liaisons.membership.set": _("Membership recorded"),
    "liaisons.fee.recorded": _("Annual fee recorded"),
    "liaisons.fee.handled": _("Fee handling confirmed by the liaison"),
    "liaisons.liaison.registered": _("Liaison registered"),
    "liaisons.liaison.handover": _("Liaison handed over"),
    "liaisons.liaison.ended": _("Liaison's post ended"),
    "liaisons.liaison.updated": _("Liaison's registration changed"),
    "liaisons.article.submitted": _("Website article submitted"),
    "liaisons.article.decided": _("Website article decided"),
    "liaisons.feedback.raised": _("Feedback raised"),
    "liaisons.feedback.answered": _("Feedback answered"),
    "liaisons.gathering.created": _("Liaison meeting or training scheduled"),
    "liaisons.gathering.attendance": _("Attendance recorded"),
    "liaisons.gathering.attendance_removed": _("Attendance taken back"),
    "liaisons.notice.created": _("Notice to liaisons created"),
    "liaisons.notice.delivered": _("Notice emailed to liaisons"),
    "nominations.campaign.created": _("Nomination campaign created"),
    "nominations.campaign.updated": _("Nomination campaign's deadlines or caps changed"),
    "nominations.nomination.created": _("Nomination drafted"),
    "nominations.nomination.updated": _("Nomination draft changed"),
    "nominations.nomination.status": _("Nomination status changed"),
    "nominations.preselection.forwarded": _("Society forwarded its selection"),
    "nominations.expert.assigned": _("Evaluation expert assigned to a field"),
    "nominations.expert.unassigned": _("Evaluation expert taken off a field"),
    "nominations.evaluation.saved": _("Preliminary evaluation scores saved"),
    "nominations.shortlist.set": _("Field's shortlist set"),
    "nominations.list.published": _("Leading-technology list published"),
    "nominations.attachment.uploaded": _("Nomination's detailed material uploaded"),
    "nominations.attachment.removed": _("Nomination's detailed material removed"),
    "awards.round.created": _("Award round created"),
    "awards.round.updated": _("Award round changed"),
    "awards.special_limit.set": _("Special-prize limits set"),
    "awards.leadership.added": _("Leadership group member added"),
    "awards.committee.added": _("Review committee member added"),
    "awards.committee.confirmed": _("Review committee confirmed"),
    "awards.reviewer.added": _("Peer reviewer added to the pool"),
    "awards.pledge.accepted": _("Confidentiality pledge accepted"),
    "awards.application.created": _("Award application drafted"),
    "awards.application.updated": _("Award application changed"),
    "awards.application.status": _("Award application status changed"),
    "awards.attachment.added": _("Award application attachment uploaded"),
    "awards.paper.received": _("Paper copies received"),
    "awards.formal_check": _("Formal check recorded"),
    "awards.peer.assigned": _("Peer reviewer assigned"),
    "awards.peer.reviewed": _("Peer review opinion given"),
    "awards.conflict.declared": _("Conflict of interest declared"),
    "awards.committee.scored": _("Committee score given"),
    "awards.committee.concluded": _("Committee's proposals recorded"),
    "awards.reconsideration.called": _("Reconsideration vote called"),
    "awards.reconsideration.voted": _("Reconsideration vote cast"),
    "awards.reconsideration.closed": _("Reconsideration vote closed"),
    "awards.leadership.approved": _("Results approved by the leadership group"),
    "awards.notice.started": _("Public notice started"),
    "awards.notice.closed": _("Public notice closed"),
    "awards.objection.filed": _("Objection filed"),
    "awards.objection.verified": _("Objection verified"),
    "awards.objection.answered": _("Objection answered by the applicant"),
    "awards.objection.decided": _("Objection decided"),
    "awards.final.approved": _("Awards approved by the leadership group"),
    "awards.ban.recorded": _("Unit barred from applying"),
    "awards.revoked": _("Award revoked"),
}

# The facts' names (the keys of AuditEntry.data).
FIELD_LABELS = {
    "username": pgettext_lazy("audit", "account"),
    "ip_address": pgettext_lazy("audit", "IP address"),
    "failures": pgettext_lazy("audit", "failed logins"),
    "roles": pgettext_lazy("audit", "roles"),
    "organisation": _("organisation"),
    "exporter": _("export"),
    "importer": _("import"),
    "params": _("parameters"),
    "attempts": _("times sent to the worker"),
    "filename": _("file name"),
    "fingerprint": _("fingerprint (SHA-256)"),
    "status": _("status"),
    "note": pgettext_lazy("audit", "note"),
    "applied_on": pgettext_lazy("audit", "applied on"),
    "from": pgettext_lazy("audit", "from status"),
    "to": pgettext_lazy("audit", "to"),
    "rule": pgettext_lazy("audit", "rule"),
    "as_of": pgettext_lazy("audit", "as of"),
    "points": pgettext_lazy("audit", "points"),
    "entry": pgettext_lazy("audit", "ledger entry number"),
    "reason": pgettext_lazy("audit", "reason"),
    "activity": pgettext_lazy("audit", "activity number"),
    "held_on": pgettext_lazy("audit", "held on"),
    "reward": pgettext_lazy("audit", "reward"),
    "refunded": pgettext_lazy("audit", "points refunded"),
    "liaison": pgettext_lazy("audit", "liaison (account number)"),
    "kind": pgettext_lazy("audit", "kind"),
    "number": pgettext_lazy("audit", "number"),
    "committee": pgettext_lazy("audit", "professional committee"),
    "role": _("role"),
    "choice": pgettext_lazy("audit", "vote"),
    "result": _("result"),
    "tally": pgettext_lazy("audit", "votes"),
    "for": pgettext_lazy("audit", "for"),
    "against": pgettext_lazy("audit", "against"),
    "abstain": pgettext_lazy("audit", "abstain"),
    "year": pgettext_lazy("audit", "year"),
    "catalogue": pgettext_lazy("audit", "catalogue version"),
    "variant": pgettext_lazy("audit", "variant"),
    "mining_method": pgettext_lazy("audit", "main mining method"),
    "pass_line": pgettext_lazy("audit", "pass line"),
    "mine_name": pgettext_lazy("audit", "mine"),
    "old": pgettext_lazy("audit", "from status"),
    "new": pgettext_lazy("audit", "to"),
    "expert": pgettext_lazy("audit", "expert"),
    "code": pgettext_lazy("audit", "prerequisite"),
    "passed": pgettext_lazy("audit", "passed"),
    "score": pgettext_lazy("audit", "score"),
    "not_applicable": pgettext_lazy("audit", "not applicable"),
    "file": _("file name"),
    "location": pgettext_lazy("audit", "where"),
    "total": pgettext_lazy("audit", "total score"),
    "qualified": pgettext_lazy("audit", "qualified"),
    "recorded": pgettext_lazy("audit", "rows recorded"),
    "duplicates": pgettext_lazy("audit", "rows repeated in the file"),
    "recorded_earlier": pgettext_lazy("audit", "rows recorded by an earlier import"),
    "already_in_ledger": pgettext_lazy("audit", "rows already in the ledger"),
    "error_count": _("errors"),
    "rows": _("rows"),
    "unit": pgettext_lazy("audit", "unit"),
    "account": pgettext_lazy("audit", "account"),
    "on": pgettext_lazy("audit", "date"),
    "outgoing": pgettext_lazy("audit", "outgoing liaison"),
    "incoming": pgettext_lazy("audit", "incoming liaison"),
    "added": pgettext_lazy("audit", "added"),
    "recipients": pgettext_lazy("audit", "recipients"),
    "sent": pgettext_lazy("audit", "sent"),
    "failed": pgettext_lazy("audit", "failed"),
    "approved": pgettext_lazy("audit", "approved"),
    "paid_on": pgettext_lazy("audit", "paid on"),
    "on_time": pgettext_lazy("audit", "on time"),
    "association": pgettext_lazy("audit", "association"),
    "level": pgettext_lazy("audit", "membership level"),
    "created": pgettext_lazy("audit", "new"),
    "fields": pgettext_lazy("audit", "fields changed"),
    "nature": pgettext_lazy("audit", "nature"),
    "address": pgettext_lazy("audit", "address"),
    "postcode": pgettext_lazy("audit", "postcode"),
    "name": pgettext_lazy("audit", "name"),
    "notes": pgettext_lazy("audit", "notes"),
    "recommendation_deadline": pgettext_lazy("audit", "recommendation deadline"),
    "preliminary_deadline": pgettext_lazy("audit", "preliminary evaluation deadline"),
    "final_review_deadline": pgettext_lazy("audit", "final review deadline"),
    "publication_date": pgettext_lazy("audit", "publication date"),
    "field": pgettext_lazy("audit", "technical field"),
    "society": pgettext_lazy("audit", "society"),
    "size": pgettext_lazy("audit", "technologies"),
    "scores": pgettext_lazy("audit", "scores"),
    "replaced": pgettext_lazy("audit", "replaced earlier scores"),
    "feasibility": pgettext_lazy("audit", "feasibility"),
    "advancement": pgettext_lazy("audit", "advancement"),
    "originality": pgettext_lazy("audit", "originality"),
    "irreplaceability": pgettext_lazy("audit", "irreplaceability"),
    "maturity": pgettext_lazy("audit", "maturity"),
    "market": pgettext_lazy("audit", "market prospects"),
    "served": pgettext_lazy("audit", "consecutive years served"),
    "category": pgettext_lazy("audit", "category"),
    "contributors": pgettext_lazy("audit", "most main contributors"),
    "units": pgettext_lazy("audit", "most main completing units"),
    "sets": pgettext_lazy("audit", "paper sets"),
    "original": pgettext_lazy("audit", "original included"),
    "deadline": pgettext_lazy("audit", "deadline"),
    "agree": pgettext_lazy("audit", "agrees"),
    "grade": pgettext_lazy("audit", "grade"),
    "present": pgettext_lazy("audit", "members present"),
    "last_year": pgettext_lazy("audit", "last year barred"),
    "until": pgettext_lazy("audit", "objections accepted until"),
    "characters": pgettext_lazy("audit", "characters"),
    "removed": pgettext_lazy("audit", "removed"),
}


def _choices(path):
    """A value resolver naming a code by the label of the TextChoices at `path` ("app.module.Class")."""

    def resolve(value):
        module, name = path.rsplit(".", 1)
        choices = getattr(import_module(module), name)
        try:
            return choices(value).label
        except ValueError:
            return value

    return resolve


def _lookup(path, field="code", attr="name"):
    """A value resolver naming a row of the model at `path` ("app_label.Model") by its `field`."""

    def resolve(value):
        memo = _memo.get()
        key = (path, field, attr, value)
        if memo is not None and key in memo:
            return memo[key]
        row = apps.get_model(path).objects.filter(**{field: value}).first()
        name = getattr(row, attr) if row is not None else value
        if memo is not None:
            memo[key] = name
        return name

    return resolve


# Names looked up for `describe`, remembered within a `memoized()` block (an export of many entries
# then asks the database once per distinct value, not once per entry).
_memo = contextvars.ContextVar("audit_describe_memo", default=None)


@contextlib.contextmanager
def memoized():
    """Within this block, `describe` looks up each named row (rule, reward, committee…) once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _rule(value):
    from specialists.admin.people import STATUS_RULE_LABELS

    return (STATUS_RULE_LABELS.get(value) or _lookup("specialists.PointRule")(value)) if value else value


def _exporter(value):
    from .exports import _registry

    exporter = _registry.get(value)
    return exporter.title if exporter else value


def _importer(value):
    from .exceptions import BusinessRuleError
    from .imports import get_importer

    try:
        return get_importer(value).title
    except BusinessRuleError:
        return value


def _prerequisite(value):
    from greenmine.models import Prerequisite

    memo = _memo.get()
    if memo is not None and ("prerequisite", value) in memo:
        return memo[("prerequisite", value)]
    row = Prerequisite.objects.filter(code=value).order_by("-version__is_current").first()
    name = row.name if row is not None else value
    if memo is not None:
        memo[("prerequisite", value)] = name
    return name


_SPECIALIST_STATUS = _choices("specialists.enums.SpecialistStatus")
_ASSESSMENT_STATUS = _choices("greenmine.enums.AssessmentStatus")
_DOCUMENT_KIND = _choices("specialists.enums.DocumentKind")

# How a fact's value is named: a code becomes its label.  Keyed by (action, key), or by key for every action.
VALUE_LABELS = {
    ("specialist.status", "from"): _SPECIALIST_STATUS,
    ("specialist.status", "to"): _SPECIALIST_STATUS,
    ("specialist.transfer", "to"): _lookup("specialists.Specialist", field="pk"),
    ("greenmine.assessment.status", "old"): _ASSESSMENT_STATUS,
    ("greenmine.assessment.status", "new"): _ASSESSMENT_STATUS,
    ("import.retried", "status"): _choices("alliance.models.JobStatus"),
    ("specialist.document_issued", "kind"): _DOCUMENT_KIND,
    ("specialist.document_requested", "kind"): _DOCUMENT_KIND,
    ("specialist.document_sent", "kind"): _DOCUMENT_KIND,
    "rule": _rule,
    "reward": _lookup("specialists.Reward"),
    "committee": _lookup("specialists.Committee"),
    "role": _choices("specialists.enums.CommitteeRole"),
    "roles": _choices("alliance.roles.Role"),
    "choice": _choices("specialists.enums.VoteChoice"),
    "result": _choices("specialists.enums.MotionResult"),
    "catalogue": _lookup("greenmine.CatalogueVersion", attr="title"),
    "variant": _choices("greenmine.enums.Variant"),
    "mining_method": _choices("greenmine.enums.MiningMethod"),
    "code": _prerequisite,
    "exporter": _exporter,
    "importer": _importer,
    ("nominations.attachment.uploaded", "kind"): _choices("nominations.models.AttachmentKind"),
    ("nominations.attachment.removed", "kind"): _choices("nominations.models.AttachmentKind"),
    ("nominations.nomination.status", "from"): _choices("nominations.enums.NominationStatus"),
    ("nominations.nomination.status", "to"): _choices("nominations.enums.NominationStatus"),
    ("nominations.nomination.created", "field"): _choices("nominations.enums.Field"),
    ("nominations.preselection.forwarded", "field"): _choices("nominations.enums.Field"),
    ("nominations.expert.assigned", "field"): _choices("nominations.enums.Field"),
    ("nominations.expert.unassigned", "field"): _choices("nominations.enums.Field"),
    ("nominations.shortlist.set", "field"): _choices("nominations.enums.Field"),
}


def action_label(code):
    """The action's name for people; the code itself for an action not in ACTION_LABELS."""
    return ACTION_LABELS.get(code, code)


def field_label(key):
    return FIELD_LABELS.get(key, key)


def _value(action, key, value):
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {_value(action, k, v)}" for k, v in value.items())
    if isinstance(value, list):
        if len(value) == 2 and key in {"mine_name", "organisation"}:  # [old, new] of a change
            return f"{_value(action, key, value[0])} → {_value(action, key, value[1])}"
        return "、".join(str(_value(action, key, v)) for v in value)
    resolve = VALUE_LABELS.get((action, key)) or VALUE_LABELS.get(key)
    return resolve(value) if resolve else value


def describe(entry):
    """The entry's facts as [(name, value)], named for people: what the admin and the export show."""
    return [(field_label(key), _value(entry.action, key, value)) for key, value in (entry.data or {}).items()]
