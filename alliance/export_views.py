"""Pages for long exports: start one, watch its progress, download it."""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import dispatch, exports
from .dispatch import BrokerUnavailable
from .exceptions import BusinessRuleError
from .models import ExportJob, ExportStatus


def _specialists():
    return apps.get_model("specialists", "Specialist").objects


def _field_choices():
    from nominations.enums import Field

    return [("", gettext_lazy("All fields (one sheet each)")), *Field.choices]


class ExportParamsForm(forms.Form):
    """The limits an export may be given on the exports page; only those its exporter understands are kept."""

    date_from = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter the start date as YYYY-MM-DD.")},
    )
    date_to = forms.DateField(
        label=gettext_lazy("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter the end date as YYYY-MM-DD.")},
    )
    specialist = forms.CharField(label=gettext_lazy("Specialist (name or account)"), required=False, max_length=150)
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy(
            "Empty: the export's usual year (the assessment's: last year; a campaign's: this year)."
        ),
    )
    field = forms.ChoiceField(label=gettext_lazy("Technical field"), required=False, choices=lambda: _field_choices())

    def __init__(self, *args, accepted=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in accepted:
                del self.fields[name]

    def clean_specialist(self):
        text = self.cleaned_data["specialist"].strip()
        if not text:
            return None
        by_account = _specialists().filter(user__username__iexact=text).values_list("pk", flat=True)
        found = list(by_account) or list(_specialists().filter(name=text).values_list("pk", flat=True)[:2])
        if not found:
            raise forms.ValidationError(_("No specialist is named or has the account “%(text)s”.") % {"text": text})
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several specialists are named “%(text)s”; enter the account instead.") % {"text": text}
            )
        return found[0]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def params(self):
        """The export's parameters as JSON values, leaving out the limits not given."""
        return {
            key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in self.cleaned_data.items()
            if value not in (None, "")
        }


def describe_params(params):
    """The job's limits as [(name, value)] for its page."""
    labels = {
        "date_from": _("Start date"),
        "date_to": _("End date"),
        "specialist": _("Specialist"),
        "year": _("Year"),
        "field": _("Technical field"),
    }
    rows = []
    for key, value in (params or {}).items():
        if key == "specialist":
            row = _specialists().filter(pk=value).select_related("user").first()
            value = f"{row.name}（{row.user.username}）" if row else value
        elif key == "field":
            value = dict(_field_choices()).get(value, value)
        rows.append((labels.get(key, key), value))
    return rows


def _job_for(request, pk):
    job = ExportJob.objects.filter(pk=pk).first()
    if job is None or not exports.can_download(request.user, job):
        raise Http404
    return exports.with_progress(job)


def _status(job):
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_display": job.get_status_display(),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "error": job.error,
        "retryable": dispatch.is_stuck(job),
        "download": f"/exports/{job.pk}/download/" if job.status == ExportStatus.DONE else None,
    }


@login_required
def export_list(request):
    jobs = list(ExportJob.objects.filter(requested_by=request.user)[:20])
    now = timezone.now()
    for job in jobs:
        exports.with_progress(job)
        job.retryable = dispatch.is_stuck(job, now=now)
    exporters = [
        (exporter, ExportParamsForm(accepted=exporter.params, prefix=exporter.key.replace(".", "-")))
        for exporter in exports.exporters_for(request.user)
    ]
    return render(request, "alliance/exports.html", {"jobs": jobs, "exporters": exporters})


@login_required
@require_POST
def export_start(request):
    key = request.POST.get("exporter", "")
    try:
        exporter = exports.get_exporter(key)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("exports")
    form = ExportParamsForm(request.POST, accepted=exporter.params, prefix=key.replace(".", "-"))
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("exports")
    try:
        job = exports.export_start(user=request.user, key=key, params=form.params())
    except BrokerUnavailable as exc:
        # The job row was kept as "not queued"; its page offers the retry.
        messages.error(request, exc.message)
        return redirect("export-detail", pk=exc.job.pk) if exc.job else redirect("exports")
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("exports")
    return redirect("export-detail", pk=job.pk)


@login_required
@require_POST
def export_retry(request, pk):
    job = _job_for(request, pk)
    try:
        exports.export_retry(job, user=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The export was sent to the worker again."))
    return redirect("export-detail", pk=job.pk)


@login_required
def export_detail(request, pk):
    job = _job_for(request, pk)
    return render(
        request,
        "alliance/export_detail.html",
        {
            "job": job,
            "status": _status(job),
            "retryable": dispatch.is_stuck(job),
            "params": describe_params(job.params),
        },
    )


@login_required
def export_status(request, pk):
    return JsonResponse(_status(_job_for(request, pk)))


@login_required
def export_download(request, pk):
    job = _job_for(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    filename = exports.get_exporter(job.exporter).filename
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename)
