"""The specialists' whole-table exports, run as background jobs with progress (alliance.exports)."""

from django.utils.translation import gettext_lazy as _

from alliance import exports

from .exports import ledger_sheet, roster_sheet
from .models import LedgerEntry, Specialist


@exports.register(
    "specialists.ledger",
    title=_("Points ledger (all entries)"),
    filename="points-ledger.xlsx",
    count=lambda params: LedgerEntry.objects.count(),
)
def ledger(params):
    return [ledger_sheet()]


@exports.register(
    "specialists.roster",
    title=_("Specialists roster"),
    filename="specialists-roster.xlsx",
    count=lambda params: Specialist.objects.count(),
)
def roster(params):
    return [roster_sheet()]
