"""Pages for imports: upload a workbook, watch its job, read every problem found, download the template."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import imports
from .exceptions import BusinessRuleError, NotPermitted
from .models import ImportJob, JobStatus
from .xlsx import xlsx_response

ERRORS_PER_PAGE = 100


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an .xlsx workbook."))
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large."))
        return upload


def upload(request, key, form):
    """Start an import from a valid form; returns the job, or None with the refusal added to the form.

    Shared by this page and the admin's import page.
    """
    try:
        job = imports.import_start(user=request.user, key=key, upload=form.cleaned_data["file"])
    except imports.AlreadyImported as exc:
        form.add_error("file", exc.message)
        form.earlier_job = exc.job
        return None
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    if job.status == JobStatus.UNQUEUED:
        messages.warning(request, _("The task queue cannot be reached right now; the file is saved. Retry below."))
    return job


def _job_for(request, pk):
    job = ImportJob.objects.filter(pk=pk).select_related("requested_by").first()
    if job is None or not imports.can_view(request.user, job):
        raise Http404
    return job


@login_required
def import_list(request):
    importers = imports.importers_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        key = request.POST.get("importer", "")
        if key not in {i.key for i in importers}:
            raise PermissionDenied
        if form.is_valid():
            job = upload(request, key, form)
            if job is not None:
                return redirect("import-detail", pk=job.pk)
    jobs = ImportJob.objects.filter(requested_by=request.user).defer("errors", "result")[:20]
    context = {"importers": importers, "form": form, "jobs": jobs, "titles": {i.key: i.title for i in importers}}
    return render(request, "alliance/import_list.html", context, status=400 if form.errors else 200)


@login_required
def import_detail(request, pk):
    job = _job_for(request, pk)
    importer = imports.get_importer(job.importer)
    errors = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    result = job.result or {}
    context = {
        "job": job,
        "importer": importer,
        "errors": errors,
        "error_count": result.get("error_count", len(job.errors)),
        "result": result,
        "not_recorded": result.get("not_recorded", []),
        "not_recorded_count": sum(result.get(k, 0) for k in ("already_in_ledger", "duplicates", "left")),
        "can_retry": imports.can_retry(job) and importer.permission(request.user),
        "finished_at": imports.local_time(job.finished_at) if job.finished_at else "",
    }
    return render(request, "alliance/import_detail.html", context)


@login_required
def import_status(request, pk):
    return JsonResponse(imports.status(_job_for(request, pk)))


@login_required
@require_POST
def import_retry(request, pk):
    job = _job_for(request, pk)
    try:
        imports.import_retry(job, user=request.user)
    except NotPermitted:
        raise PermissionDenied from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        if job.status == JobStatus.UNQUEUED:
            messages.warning(request, _("The task queue still cannot be reached; try again in a moment."))
        else:
            messages.success(request, _("The import was sent to the worker again."))
    return redirect("import-detail", pk=job.pk)


@login_required
def import_template(request, importer):
    try:
        found = imports.get_importer(importer)
    except BusinessRuleError:
        raise Http404 from None
    if not found.permission(request.user):
        raise PermissionDenied
    return xlsx_response(found.template_filename, found.template())
