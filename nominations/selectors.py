"""Reads and reports of the leading-technology list nominations (seed 004)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache as django_cache
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q

from alliance.roles import Role, has_role, is_secretariat

from . import caching
from .enums import EVALUABLE_STATES, RECOMMENDED_STATES, NominationStatus
from .models import Campaign, Evaluation, ExpertAssignment, IndustryCode, Nomination
from .services import unit_of


def campaign_by_year(year):
    return Campaign.objects.filter(year=year).first()


def choosable_industries():
    """GB/T 4754-2017 groups and classes, in the standard's order (附件 2: 中类和小类)."""
    return IndustryCode.objects.filter(level__in=("group", "class")).order_by("position")


def nominations_for(user, campaign=None):
    """The nominations `user` may read: staff all; a unit's accounts their unit's (and, for a society,
    what its member units put forward to it); an expert the recommended nominations of their fields,
    never one of their own unit's.  Others none."""
    queryset = Nomination.objects.all()
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    if not user or not user.is_authenticated:
        return queryset.none()
    if is_secretariat(user):
        return queryset
    unit = unit_of(user)
    visible = Q(pk__in=[])
    if unit is not None and has_role(user, Role.APPLICANT):
        visible |= Q(unit=unit) | (Q(preselected_by=unit) & ~Q(status=NominationStatus.DRAFT))
    if has_role(user, Role.EXPERT):
        assigned = ExpertAssignment.objects.filter(campaign=OuterRef("campaign"), field=OuterRef("field"), expert=user)
        expert_sees = Q(Exists(assigned)) & Q(status__in=RECOMMENDED_STATES)
        if unit is not None:
            expert_sees &= ~Q(unit=unit) & ~Q(recommender=unit)
        visible |= expert_sees
    return queryset.filter(visible)


def to_evaluate(expert, campaign):
    """The nominations an expert scores in the campaign, with their own evaluation if any (2 queries)."""
    mine = Evaluation.objects.filter(expert=expert)
    return (
        nominations_for(expert, campaign)
        .filter(status__in=EVALUABLE_STATES)
        .filter(Exists(ExpertAssignment.objects.filter(campaign=campaign, field=OuterRef("field"), expert=expert)))
        .select_related("unit")
        .prefetch_related(Prefetch("evaluations", queryset=mine, to_attr="my_evaluation"))
    )


@dataclass
class RankingRow:
    id: int
    name: str
    unit: str
    status: str
    mean: Decimal | None
    evaluations: int
    shortlist_rank: int | None = None


def ranking(campaign, field):
    """The field's recommended nominations, best mean first: the mean of the experts' sums of the six
    scores (out of 60), with how many experts scored.  Unscored ones come last.  One query."""
    rows = (
        Nomination.objects.filter(campaign=campaign, field=field, status__in=RECOMMENDED_STATES)
        # Evaluation.total is the sum of the six scores (a database constraint keeps it so).
        .annotate(mean=Avg("evaluations__total"), n_evaluations=Count("evaluations"))
        .order_by(F("mean").desc(nulls_last=True), "name", "pk")
        .values("pk", "name", "unit__name", "status", "mean", "n_evaluations", "shortlist_rank")
    )
    return [
        RankingRow(
            id=row["pk"],
            name=row["name"],
            unit=row["unit__name"],
            status=row["status"],
            mean=None
            if row["mean"] is None
            else Decimal(str(row["mean"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            evaluations=row["n_evaluations"],
            shortlist_rank=row["shortlist_rank"],
        )
        for row in rows
    ]


def cached_ranking(campaign, field):
    """ranking(), kept in the cache under the field's ranking version (nominations.caching)."""
    key = caching.key(campaign.pk, field, "rows")
    rows = django_cache.get(key)
    if rows is None:
        rows = ranking(campaign, field)
        django_cache.set(key, rows, caching.SECONDS)
    return rows


def shortlisted(campaign):
    """二（三）终审: every field's shortlist, by field and shortlist rank, with the experts' mean. One query."""
    return (
        Nomination.objects.filter(campaign=campaign, status=NominationStatus.SHORTLISTED)
        .select_related("unit")
        .annotate(mean=Avg("evaluations__total"))
        .order_by("field", "shortlist_rank", "pk")
    )


def published_list(campaign):
    """二（四）: the published list in its order."""
    return (
        Nomination.objects.filter(campaign=campaign, status=NominationStatus.SELECTED)
        .select_related("unit")
        .order_by("list_position")
    )
