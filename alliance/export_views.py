"""Pages for long exports: start one, watch its progress, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import exports
from .exceptions import BusinessRuleError
from .models import ExportJob, ExportStatus


def _job_for(request, pk):
    job = ExportJob.objects.filter(pk=pk).first()
    if job is None or not exports.can_download(request.user, job):
        raise Http404
    return job


def _status(job):
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_display": job.get_status_display(),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "error": job.error,
        "download": f"/exports/{job.pk}/download/" if job.status == ExportStatus.DONE else None,
    }


@login_required
def export_list(request):
    jobs = ExportJob.objects.filter(requested_by=request.user)[:20]
    return render(request, "alliance/exports.html", {"jobs": jobs, "exporters": exports.exporters_for(request.user)})


@login_required
@require_POST
def export_start(request):
    try:
        job = exports.export_start(user=request.user, key=request.POST.get("exporter", ""))
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("exports")
    return redirect("export-detail", pk=job.pk)


@login_required
def export_detail(request, pk):
    job = _job_for(request, pk)
    return render(request, "alliance/export_detail.html", {"job": job, "status": _status(job)})


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
