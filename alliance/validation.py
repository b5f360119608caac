"""Plausibility bounds on what a person types in: dates, years, counts, amounts, points, usernames.

A bound here is not a rule of a rulebook but a guard against typing errors (a year 0001 or 9999, a
quantity with three zeros too many) and against values the database cannot hold.  The services
call these checks, so the API, the pages, the admin and the imports refuse the same input with
the same message; the serializers repeat the numeric bounds so the OpenAPI schema documents them.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import BusinessRuleError

# The alliance's records start in the late 2010s (the seeds date from 2017 on); nothing it keeps
# happened before 2000, so an earlier date is a typing error (and no year below 1000 ever exists).
EARLIEST_DATE = dt.date(2000, 1, 1)
EARLIEST_YEAR = EARLIEST_DATE.year
# A date of something that happened may be today; one day more allows for time zones.
PAST_MARGIN = dt.timedelta(days=1)
# A date that plans ahead (a run "as of", a deadline) stays within about a year.
PLANNING_HORIZON = dt.timedelta(days=366)

# 附件一: the largest rule gives 20 points each; no single entry counts more than 10,000 of a thing
# (the activities import's bound too) or more than ten million yuan (per-amount rules give 1 point
# per 100 yuan), so no entry is worth more than 200,000 points.
MAX_QUANTITY = 10_000
MAX_AMOUNT_YUAN = Decimal("10000000")
MAX_ENTRY_POINTS = 200_000
# Points moved at once by a person (a transfer, cash): no balance comes near this.
MAX_POINTS = 1_000_000
# 附件二: a book redeemed at half its price; no book of the series costs ten thousand yuan.
MAX_PRICE_YUAN = Decimal("10000")

# Django's username characters (letters, digits and @ . + - _), without spaces or slashes.
USERNAME_RE = re.compile(r"^[\w.@+-]+\Z")
USERNAME_HELP = gettext_lazy("Letters, digits and @ . + - _ only; no spaces or slashes.")


def today():
    return timezone.localdate()


def latest_past_date():
    return today() + PAST_MARGIN


def latest_planned_date():
    return today() + PLANNING_HORIZON


def check_date(value, *, field, planned=False):
    """`value` (a date) within the plausible window: from 2000-01-01 to today (or about a year
    ahead when `planned`).  Returns it; raises BusinessRuleError naming `field`."""
    if value is None:
        return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if value < EARLIEST_DATE:
        raise BusinessRuleError(
            _("Enter a date on or after %(date)s.") % {"date": EARLIEST_DATE.isoformat()}, field=field
        )
    latest = latest_planned_date() if planned else latest_past_date()
    if value > latest:
        if planned:
            message = _("Enter a date no later than %(date)s.") % {"date": latest.isoformat()}
        else:
            message = _("The date cannot be in the future.")
        raise BusinessRuleError(message, field=field)
    return value


def check_not_before(value, earlier, *, field, message):
    """`value` is not before `earlier` (an approval before its application, an exit before joining)."""
    if value is not None and earlier is not None and value < earlier:
        raise BusinessRuleError(message, field=field)
    return value


def check_year(year, *, field="year", planned=True):
    """A year from 2000 to next year."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise BusinessRuleError(_("Enter a year."), field=field) from None
    latest = (latest_planned_date() if planned else latest_past_date()).year
    if not EARLIEST_YEAR <= year <= latest:
        raise BusinessRuleError(
            _("Enter a year from %(first)s to %(last)s.") % {"first": EARLIEST_YEAR, "last": latest}, field=field
        )
    return year


def check_int(value, *, field, low, high):
    """A whole number from `low` to `high` (a bool is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise BusinessRuleError(_("Enter a whole number."), field=field) from None
    if not low <= value <= high:
        raise BusinessRuleError(
            _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field
        )
    return value


def check_decimal(value, *, field, low, high, decimal_places=2):
    """A finite number from `low` to `high` with at most `decimal_places` decimals."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BusinessRuleError(_("Enter a number."), field=field) from None
    if not number.is_finite():
        raise BusinessRuleError(_("Enter a number."), field=field)
    if not low <= number <= high:
        raise BusinessRuleError(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field)
    if number != number.quantize(Decimal(1).scaleb(-decimal_places)):
        raise BusinessRuleError(_("Enter at most %(places)s decimal places.") % {"places": decimal_places}, field=field)
    return number


def check_quantity(quantity, *, field="quantity"):
    return check_int(quantity, field=field, low=1, high=MAX_QUANTITY)


def check_amount(amount, *, field="amount"):
    """A yuan amount: positive, at most ten million, in fen."""
    return check_decimal(amount, field=field, low=Decimal("0.01"), high=MAX_AMOUNT_YUAN)


def check_entry_points(points, *, field="points"):
    """What one ledger entry may count (either sign): at most what the rule table can give."""
    if abs(points) > MAX_ENTRY_POINTS:
        raise BusinessRuleError(
            _("One entry counts at most %(most)s points; split or check the input.") % {"most": MAX_ENTRY_POINTS},
            field=field,
        )
    return points


def check_username(username, *, field="username"):
    """Django's username characters, no spaces or slashes, at most 150 characters."""
    username = username or ""
    if not username or len(username) > 150 or not USERNAME_RE.match(username):
        raise BusinessRuleError(str(USERNAME_HELP), field=field)
    return username


class ItemErrors(BusinessRuleError):
    """Errors in several items of a list input, all reported at once.

    `errors` maps an item's position (0-based) to {field: [reasons]}.  In the API the body is
    {"<field>": ["Item 2: reason", ...], "items": [{}, {"<field>": ["reason"]}, ...]}: the top-level
    keys name the fields at fault, `items` lines up with the list that was sent.
    """

    def __init__(self, errors, *, length):
        self.errors = {index: fields for index, fields in errors.items() if fields}
        self.length = length
        flat = self._flat()
        first_field = next(iter(flat))
        super().__init__("; ".join(m for messages in flat.values() for m in messages), field=first_field)

    @classmethod
    def collect(cls, items, check):
        """Run `check(index, item)` on every item; raise ItemErrors with every refusal, or return
        the list of results.  A check reports several fields of one item by raising
        `ItemErrors({0: {field: [reason]}}, length=1)`."""
        results, errors = [], {}
        for index, item in enumerate(items):
            try:
                results.append(check(index, item))
            except ItemErrors as exc:
                for field, messages in exc.errors.get(0, {}).items():
                    errors.setdefault(index, {}).setdefault(field, []).extend(messages)
            except BusinessRuleError as exc:
                errors.setdefault(index, {}).setdefault(exc.field or "detail", []).append(exc.message)
        if errors:
            raise cls(errors, length=len(items))
        return results

    def _flat(self):
        flat = {}
        for index in sorted(self.errors):
            for field, messages in self.errors[index].items():
                for message in messages:
                    flat.setdefault(field, []).append(_("Item %(n)s: %(reason)s") % {"n": index + 1, "reason": message})
        return flat

    def as_dict(self):
        body = self._flat()
        body["items"] = [
            {field: [str(m) for m in messages] for field, messages in self.errors.get(i, {}).items()}
            for i in range(self.length)
        ]
        return body
