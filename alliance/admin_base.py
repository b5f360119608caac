"""Admin building blocks shared by every programme's admin."""

import datetime as dt

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import get_last_value_from_parameters
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records and reference data written by services: viewable, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EstimatedCountPaginator(Paginator):
    """A paginator whose count of an unfiltered changelist is PostgreSQL's estimate of the table's rows.

    `COUNT(*)` reads every row: over the ledger or the audit log it costs more than the page it numbers.
    The estimate (`pg_class.reltuples`, kept by ANALYZE and autovacuum) is read in one index lookup.  It
    is used only when the queryset is the whole table (no filter, search, DISTINCT, grouping or slice)
    and the estimate is at least `exact_below`; otherwise, and on other databases, the count is exact.
    """

    exact_below = 10_000

    @cached_property
    def count(self):
        estimate = estimated_count(self.object_list)
        if estimate is not None and estimate >= self.exact_below:
            return estimate
        return super().count

    def page(self, number):
        """A later page picks its rows' keys first, then reads only those rows with their joins: OFFSET
        walks the skipped rows, and without this it joins every one of them (the specialist, the rule,
        the recorder) before dropping it."""
        page = super().page(number)
        rows = page.object_list
        if isinstance(rows, QuerySet) and rows.query.low_mark:
            page.object_list = self.object_list.filter(pk__in=list(rows.values_list("pk", flat=True)))
        return page


def estimated_count(queryset):
    """PostgreSQL's estimate of the rows of `queryset`'s table if `queryset` is the whole table, else None."""
    if not isinstance(queryset, QuerySet):
        return None
    query = queryset.query
    if query.where or query.distinct or query.combinator or query.is_sliced or query.group_by is not None:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        # Catalogue metadata the ORM has no model for; -1 means "never analysed".
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


class YearListFilter(admin.FieldListFilter):
    """Narrow a date, date-time or year column to one year, in place of a date hierarchy.

    The years run from the column's first value to its last: MIN and MAX, which PostgreSQL reads from
    the ends of the column's index, never a scan of the table (use it on indexed columns).  Choosing a
    year filters with Django's `__year` lookup, a range on the column (`BETWEEN` Jan 1 and Dec 31, in
    the current time zone for date-times), which the same index serves; on an integer column it is the
    value itself.
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.is_year = isinstance(field, models.IntegerField)
        self.lookup_kwarg = field_path if self.is_year else f"{field_path}__year"
        self.lookup_val = get_last_value_from_parameters(params, self.lookup_kwarg)
        self.model = model
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("year")

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def years(self):
        bounds = self.model._default_manager.aggregate(first=Min(self.field_path), last=Max(self.field_path))
        first, last = bounds["first"], bounds["last"]
        if first is None:
            return []
        if not self.is_year:
            if isinstance(first, dt.datetime):
                first, last = timezone.localtime(first), timezone.localtime(last)
            first, last = first.year, last.year
        return range(last, first - 1, -1)

    def choices(self, changelist):
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": _("All"),
        }
        for year in self.years():
            yield {
                "selected": self.lookup_val == str(year),
                "query_string": changelist.get_query_string({self.lookup_kwarg: year}),
                "display": str(year),
            }


class StaffListFilter(admin.RelatedFieldListFilter):
    """A filter on a foreign key to a user that lists the staff, not every account (specialists have
    accounts too: a list of all of them would be the size of the roster)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to={"is_staff": True}, ordering=ordering)


class LargeTableMixin:
    """The changelist of a table that grows without bound (the ledger, the audit log, histories): the
    cost of a page must not grow with the table.

    - the unfiltered count is PostgreSQL's estimate (EstimatedCountPaginator), and the "N total" next
      to a filtered count, a second `COUNT(*)` of the whole table, is not shown;
    - no facet counts (each one a `COUNT` over the filtered rows);
    - and, by convention checked in tests/alliance/test_changelist_queries.py, no `date_hierarchy`
      (its year links are a `SELECT DISTINCT` over the whole table; use YearListFilter), search
      fields that name an indexed lookup (`…__startswith` on an indexed column, an exact match), no
      filter that lists a column's distinct values, an `ordering` an index serves, and
      `list_select_related` for every foreign key shown.  (The roster and the accounts, bounded by the
      number of people, keep their name searches and take only the counts from this mixin.)
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def action_checkbox(self, obj):
        """The row's selection checkbox, the same HTML as Django's: the form widget's template, rendered
        once per row, was a third of the ledger page's time (bench/README.md, admin changelists)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )
