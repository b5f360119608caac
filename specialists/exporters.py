"""The specialists' whole-table exports, run as background jobs with progress (alliance.exports)."""

from django.utils.translation import gettext_lazy as _

from alliance import exports

from .exports import ledger_sheet, roster_sheet
from .models import LedgerEntry, Specialist


def ledger_entries(params):
    """The entries an export asked for: optionally from/to a date (ISO) and of one specialist (id)."""
    entries = LedgerEntry.objects.all()
    if params.get("date_from"):
        entries = entries.filter(occurred_on__gte=params["date_from"])
    if params.get("date_to"):
        entries = entries.filter(occurred_on__lte=params["date_to"])
    if params.get("specialist"):
        entries = entries.filter(specialist_id=params["specialist"])
    return entries


@exports.register(
    "specialists.ledger",
    title=_("Points ledger (all entries)"),
    filename="积分台账.xlsx",
    count=lambda params: ledger_entries(params).count(),
    params=("date_from", "date_to", "specialist"),
)
def ledger(params):
    return [ledger_sheet(ledger_entries(params))]


@exports.register(
    "specialists.roster",
    title=_("Specialists roster"),
    filename="特别专员名册.xlsx",
    count=lambda params: Specialist.objects.count(),
)
def roster(params):
    return [roster_sheet()]
