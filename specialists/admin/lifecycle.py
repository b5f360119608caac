"""Lifecycle runs: their history and the "run now" page (a dry-run preview, then the real run)."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import SpecialistStatus
from ..lifecycle import lifecycle_run
from ..models import LifecycleRun
from .common import ReadOnlyAdmin
from .people import StatusChangeInline


class LifecycleRunForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), initial=timezone.localdate)


@admin.register(LifecycleRun)
class LifecycleRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "started_at", "source", "evaluated", "changed", "triggered_by"]
    list_filter = ["source"]
    list_select_related = ["triggered_by"]
    date_hierarchy = "as_of"
    inlines = [type("RunChangeInline", (StatusChangeInline,), {"fk_name": "run"})]

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
        if form.is_bound and form.is_valid():
            as_of = form.cleaned_data["as_of"]
            if request.method == "POST" and "confirm" in request.POST:
                run, applied = lifecycle_run(as_of=as_of, actor=request.user, source="admin")
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
            "status_labels": dict(SpecialistStatus.choices),
        }
        return TemplateResponse(request, "admin/specialists/lifecycle_run.html", context)
