"""Pages for long exports: start one, watch its progress, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import dispatch, exports
from .dispatch import BrokerUnavailable
from .exceptions import BusinessRuleError
from .models import ExportJob, ExportStatus


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
    return render(request, "alliance/exports.html", {"jobs": jobs, "exporters": exports.exporters_for(request.user)})


@login_required
@require_POST
def export_start(request):
    try:
        job = exports.export_start(user=request.user, key=request.POST.get("exporter", ""))
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
        {"job": job, "status": _status(job), "retryable": dispatch.is_stuck(job)},
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
