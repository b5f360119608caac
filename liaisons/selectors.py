"""Reads and reports of the liaison programme (seed 002)."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from alliance.models import Organisation
from alliance.roles import Role, has_role, is_secretariat

from .enums import ArticleStatus, DeliveryStatus, GatheringKind
from .models import (
    Article,
    AssessmentCriterion,
    Attendance,
    Feedback,
    FeePayment,
    Handover,
    Liaison,
    Membership,
    Notice,
    NoticeDelivery,
    StipendBand,
    UnitChangeRequest,
)


def member_units():
    """Units of the registry that are members of the 协会 or the 学会, or have had a liaison."""
    return Organisation.objects.filter(
        Q(Exists(Liaison.objects.filter(organisation=OuterRef("pk"))))
        | Q(Exists(Membership.objects.filter(organisation=OuterRef("pk"))))
    )


def current_liaison_of(user):
    """The active liaison post the user holds (with its unit), or None.  Access to a unit follows this
    row, so a liaison handed over loses it at once."""
    if not user or not user.is_authenticated or not has_role(user, Role.LIAISON):
        return None
    return Liaison.objects.select_related("organisation").filter(user=user, is_active=True).first()


def units_for(user):
    """The member units the user may read: staff all of them, a liaison their own unit, others none."""
    if is_secretariat(user):
        return member_units()
    liaison = current_liaison_of(user)
    if liaison is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=liaison.organisation_id)


def unit_with_liaisons(queryset):
    """The units with their current liaison, history (newest first) and memberships, in three queries."""
    return queryset.prefetch_related(
        Prefetch(
            "liaisons",
            queryset=Liaison.objects.order_by("-is_active", "-started_on", "-pk").prefetch_related("resume"),
        ),
        Prefetch("liaison_handovers", queryset=Handover.objects.select_related("from_liaison", "to_liaison")),
        "memberships",
    )


def notices_with_pending_deliveries():
    return Notice.objects.filter(
        Exists(
            NoticeDelivery.objects.filter(
                notice=OuterRef("pk"), status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
            )
        )
    )


def unit_articles(organisation_id):
    """A unit's website submissions, newest first (its liaisons' over time)."""
    return Article.objects.filter(liaison__organisation=organisation_id).select_related("liaison")


def unit_feedback(organisation_id):
    """A unit's opinions and problems raised, with the office's answers, newest first."""
    return Feedback.objects.filter(liaison__organisation=organisation_id).select_related("liaison")


def unit_fees(organisation_id):
    """A unit's annual fees of every membership, newest year first."""
    return FeePayment.objects.filter(membership__organisation=organisation_id).select_related(
        "membership", "handled_by"
    )


def liaison_page(liaison):
    """What a liaison's own page shows: the unit's memberships and change requests, the liaison's résumé,
    articles, feedback with answers, fees, gatherings attended.  A fixed number of queries."""
    return {
        "memberships": list(liaison.organisation.memberships.all()),
        "resume": list(liaison.resume.all()),
        "change_requests": list(
            UnitChangeRequest.objects.filter(organisation=liaison.organisation_id).order_by("-created_at")[:5]
        ),
        "articles": list(unit_articles(liaison.organisation_id)[:50]),
        "feedback": list(unit_feedback(liaison.organisation_id)[:50]),
        "fees": list(unit_fees(liaison.organisation_id)[:20]),
        "attendance": list(
            Attendance.objects.filter(liaison=liaison).select_related("gathering").order_by("-gathering__held_on")[:20]
        ),
    }


# ---- the annual assessment (第十三条) -----------------------------------------------------------


@dataclass
class AssessmentRow:
    liaison_id: int
    liaison: str
    unit_id: int
    unit: str
    email: str
    mobile: str
    meetings: int
    trainings: int
    articles: int
    adopted: int
    feedback: int
    fee_paid_on_time: bool
    fee_handled: bool
    score: Decimal = Decimal("0")
    rank: int = 0
    band: str = ""
    stipend: Decimal = Decimal("0")
    excellent: bool = False

    @property
    def adoption_rate(self):
        return Decimal(self.adopted) / Decimal(self.articles) if self.articles else Decimal("0")

    @property
    def inactive(self):
        """第十三条 一年内不履行职责: no meeting, training, article or feedback, and no fee handled."""
        return not (self.meetings or self.trainings or self.articles or self.feedback or self.fee_handled)


def _count(queryset):
    """A correlated count per liaison row (one subquery, no join fan-out)."""
    return Coalesce(
        Subquery(
            queryset.filter(liaison=OuterRef("pk"))
            .order_by()
            .values("liaison")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def assessed_liaisons(year):
    """Every liaison who held a post at some time in `year`, with the year's duty counts: one query."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    fees = FeePayment.objects.filter(membership__organisation=OuterRef("organisation"), year=year)
    late = fees.filter(Q(paid_on__isnull=True) | Q(paid_on__gt=F("due_on")))
    return (
        Liaison.objects.filter(in_year)
        .select_related("organisation")
        .annotate(
            n_meetings=_count(
                Attendance.objects.filter(gathering__kind=GatheringKind.MEETING, gathering__held_on__year=year)
            ),
            n_trainings=_count(
                Attendance.objects.filter(gathering__kind=GatheringKind.TRAINING, gathering__held_on__year=year)
            ),
            n_articles=_count(Article.objects.filter(submitted_on__year=year)),
            n_adopted=_count(Article.objects.filter(submitted_on__year=year, status=ArticleStatus.ADOPTED)),
            n_feedback=_count(Feedback.objects.filter(raised_on__year=year)),
            has_fees=Exists(fees),
            has_late_fees=Exists(late),
            fee_handled=Exists(FeePayment.objects.filter(year=year, handled_by=OuterRef("pk"))),
        )
        .order_by("organisation__name", "pk")
    )


def _score(row, criteria):
    total = Decimal("0")
    for criterion in criteria:
        weight = criterion.weight
        if criterion.code == "adoption_rate":
            total += weight * row.adoption_rate
        elif criterion.code == "fee_on_time":
            total += weight if row.fee_paid_on_time else 0
        else:
            count = getattr(row, criterion.code, None)
            if count is None:
                continue
            if criterion.cap is not None:
                count = min(count, criterion.cap)
            total += weight * count
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _band(rank, bands):
    for band in bands:
        if rank >= band.from_rank and (band.to_rank is None or rank <= band.to_rank):
            return band
    return None


def assessment_rules():
    """The criteria and the stipend bands the ranking is computed with, as the office set them."""
    return list(AssessmentCriterion.objects.all()), list(StipendBand.objects.all())


def assessment(year):
    """The year's ranking (第十三条): a score from the criteria's weights, best first, ties sharing a rank.

    A liaison who did nothing in the year is ranked last with `inactive` set; they get no stipend band
    (第十条 stipends rest on the assessment) and the office suggests a replacement to the unit.
    Three queries whatever the number of liaisons.
    """
    criteria, bands = assessment_rules()
    rows = [_row(liaison) for liaison in assessed_liaisons(year)]
    for row in rows:
        row.score = _score(row, criteria)
    rows.sort(key=lambda r: (r.inactive, -r.score, r.unit))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        key = (row.inactive, row.score)
        if key != previous:
            rank, previous = position, key
        row.rank = rank
        band = None if row.inactive else _band(rank, bands)
        if band is not None:
            row.band, row.stipend, row.excellent = band.title, band.amount, band.excellent
    return rows


def inactive_in(year, liaison_id):
    """The liaison if they held the post in `year` and did none of its duties (第十三条), else None: the
    only liaisons the office writes a replacement suggestion for."""
    liaison = assessed_liaisons(year).filter(pk=liaison_id).first()
    return liaison if liaison is not None and _row(liaison).inactive else None


def _row(liaison):
    """A liaison annotated by assessed_liaisons as the assessment's row (before scoring and ranking)."""
    return AssessmentRow(
        liaison_id=liaison.pk,
        liaison=liaison.name,
        unit_id=liaison.organisation_id,
        unit=liaison.organisation.name,
        email=liaison.email,
        mobile=liaison.mobile,
        meetings=liaison.n_meetings,
        trainings=liaison.n_trainings,
        articles=liaison.n_articles,
        adopted=liaison.n_adopted,
        feedback=liaison.n_feedback,
        fee_paid_on_time=bool(liaison.has_fees and not liaison.has_late_fees),
        fee_handled=liaison.fee_handled,
    )
