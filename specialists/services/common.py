"""Helpers every services module shares.

Ledger writes follow one pattern: inside `transaction.atomic()`, lock the specialist rows
involved with `select_for_update()` in ascending id order (so two requests never wait on each
other crosswise), check the rule against the locked balance, then insert entries.  The database
trigger adds the entries to `Specialist.balance`; its check constraint refuses a negative one.
"""

from django.utils import timezone

from ..models import Specialist


def today():
    return timezone.localdate()


def lock_specialist(specialist):
    return Specialist.objects.select_for_update().get(pk=specialist.pk)
