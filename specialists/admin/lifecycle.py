"""Lifecycle runs: their history and the "run now" page (a dry-run preview, then the real run).

The real run is confirmed with the number of changes the preview showed: the confirm POST carries
it and the service refuses the run if the number changed meanwhile.  A future date is only previewed.
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import LargeTableMixin, YearListFilter
from alliance.exceptions import BusinessRuleError

from ..lifecycle import RULE_LABELS, change_reason, lifecycle_run, shanghai_today
from ..models import LifecycleRun
from .common import ReadOnlyAdmin
from .people import StatusChangeInline


class LifecycleRunForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), initial=shanghai_today)


class RunChangeInline(StatusChangeInline):
    """The changes of one run, each with its reason as a sentence rather than the raw evidence."""

    fk_name = "run"
    fields = ["specialist", "from_status", "to_status", "rule_label", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("specialist")

    @admin.display(description=_("rule"))
    def rule_label(self, change):
        return RULE_LABELS.get(change.rule, change.rule)

    @admin.display(description=_("reason"))
    def reason(self, change):
        return change_reason(change.rule, change.evidence)


# Who started a run (LifecycleRun.source).
RUN_SOURCES = {
    "schedule": _("nightly schedule"),
    "admin": _("admin page"),
    "api": _("API"),
    "command": _("command line"),
}


class RunSourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return list(RUN_SOURCES.items())

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() in RUN_SOURCES else queryset


def _expected(request):
    try:
        return int(request.POST.get("expected", ""))
    except ValueError:
        return None


@admin.register(LifecycleRun)
class LifecycleRunAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["as_of", "started_at", "source_label", "evaluated", "changed", "triggered_by"]
    list_filter = [RunSourceFilter, ("as_of", YearListFilter)]
    list_select_related = ["triggered_by"]
    inlines = [RunChangeInline]
    fields = ["as_of", "started_at", "source_label", "triggered_by", "evaluated", "changed", "changes_by_rule"]
    readonly_fields = fields

    @admin.display(description=_("source"), ordering="source")
    def source_label(self, run):
        return RUN_SOURCES.get(run.source, run.source)

    @admin.display(description=_("changes by rule"))
    def changes_by_rule(self, run):
        items = [(RULE_LABELS.get(rule, rule), n) for rule, n in (run.summary or {}).items()]
        return format_html_join(mark_safe("<br>"), "{}：{}", items) if items else "—"

    def get_urls(self):
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="specialists_lifecyclerun_run"),
            *super().get_urls(),
        ]

    def run_view(self, request):
        """ "Run now": a preview (dry run) of the changes for a date, then the real run on confirmation."""
        if not self.has_view_permission(request) or not request.user.has_perm("specialists.change_specialist"):
            return redirect("admin:index")
        form = LifecycleRunForm(request.POST or request.GET or None)
        changes = None
        future = False
        if form.is_bound and form.is_valid():
            as_of = form.cleaned_data["as_of"]
            future = as_of > shanghai_today()
            if request.method == "POST" and "confirm" in request.POST:
                expected = _expected(request)
                try:
                    if expected is None:
                        raise BusinessRuleError(_("Preview the changes first, then confirm their number."))
                    run, applied = lifecycle_run(
                        as_of=as_of, actor=request.user, source="admin", expected_changes=expected
                    )
                except BusinessRuleError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("Lifecycle run for %(date)s: %(n)s change(s).") % {"date": as_of, "n": len(applied)},
                        messages.SUCCESS,
                    )
                    return redirect("admin:specialists_lifecyclerun_change", run.pk)
            _run, changes = lifecycle_run(as_of=as_of, dry_run=True)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run the lifecycle rules"),
            "opts": self.model._meta,
            "form": form,
            "changes": changes,
            "future": future,
        }
        return TemplateResponse(request, "admin/specialists/lifecycle_run.html", context)
