"""Pages of the leading-technology list nominations (seed 004).

Pages read through selectors and write through services: each form posts to a view that calls one
service; a success is a message and a redirect (post/redirect/get), a refusal shows the page again
with the input kept and the service's message on the field at fault.  A nomination nobody may read
is 404 (selectors.nominations_for), never its data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache as django_cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.pdf import pdf_response
from alliance.roles import Role, has_role, is_secretariat
from alliance.validation import today

from . import caching, permissions, reference, selectors, services
from .enums import CRITERIA, EVALUABLE_STATES, RECOMMENDED_STATES, CampaignStage, Field, NominationStatus
from .forms import EvaluationForm, NominationForm, trl_choices
from .models import Campaign, Evaluation, ExpertAssignment, Nomination, Publication


def _refused(request, message, *, status=403):
    return render(request, "nominations/refused.html", {"message": message}, status=status)


def _campaign_or_404(year):
    campaign = selectors.campaign_by_year(year)
    if campaign is None:
        raise Http404(_("No campaign for that year."))
    return campaign


def _deadline_message(campaign):
    """The service's own refusal once the recommendation deadline has passed, else None."""
    try:
        services.check_recommendation_open(campaign)
    except BusinessRuleError as exc:
        return exc.message
    return None


# ---- the user's overview ----------------------------------------------------------------------------


def _unit_campaigns(user, unit):
    """The unit's nominations grouped by campaign, newest campaign first, with the campaigns still open."""
    nominations = (
        selectors.nominations_for(user)
        .filter(unit=unit)
        .select_related("campaign")
        .order_by("-campaign__year", "field", "pk")
    )
    groups = {}
    for nomination in nominations:
        groups.setdefault(nomination.campaign, []).append(nomination)
    on = today()
    for campaign in Campaign.objects.all():
        if campaign.stage(on) == CampaignStage.RECOMMENDATION:
            groups.setdefault(campaign, [])
    return [
        {"campaign": campaign, "nominations": rows, "open": campaign.stage(on) == CampaignStage.RECOMMENDATION}
        for campaign, rows in sorted(groups.items(), key=lambda item: -item[0].year)
    ]


def _expert_fields(user):
    """The fields assigned to the expert, per campaign, with how many nominations are left to score."""
    assignments = list(
        ExpertAssignment.objects.filter(expert=user).select_related("campaign").order_by("-campaign__year", "field")
    )
    rows = []
    for campaign in {a.campaign for a in assignments}:
        nominations = list(selectors.to_evaluate(user, campaign))
        for assignment in (a for a in assignments if a.campaign_id == campaign.pk):
            mine = [n for n in nominations if n.field == assignment.field]
            rows.append(
                {
                    "campaign": campaign,
                    "field": assignment.get_field_display(),
                    "total": len(mine),
                    "left": [n for n in mine if not n.my_evaluation],
                    "done": [n for n in mine if n.my_evaluation],
                    "open": campaign.stage(today()) in (CampaignStage.RECOMMENDATION, CampaignStage.PRELIMINARY),
                }
            )
    rows.sort(key=lambda row: (-row["campaign"].year, row["field"]))
    return rows


def _staff_campaigns():
    """Every campaign with its nominations counted per field (drafts apart): one query for the counts."""
    counts = {}
    for row in Nomination.objects.values("campaign_id", "field").annotate(
        recommended=Count("pk", filter=Q(status__in=RECOMMENDED_STATES)),
        drafts=Count("pk", filter=~Q(status__in=RECOMMENDED_STATES)),
        shortlisted=Count("pk", filter=Q(status__in=(NominationStatus.SHORTLISTED, NominationStatus.SELECTED))),
    ):
        counts[(row["campaign_id"], row["field"])] = row
    on = today()
    campaigns = []
    for campaign in Campaign.objects.all():
        fields = []
        for value, label in Field.choices:
            row = counts.get((campaign.pk, value), {})
            fields.append(
                {
                    "value": value,
                    "label": label,
                    "recommended": row.get("recommended", 0),
                    "drafts": row.get("drafts", 0),
                    "shortlisted": row.get("shortlisted", 0),
                }
            )
        campaigns.append({"campaign": campaign, "stage": campaign.stage(on).label, "fields": fields})
    return campaigns


@login_required
@require_GET
def index(request):
    user = request.user
    unit = services.unit_of(user)
    context = {
        "unit": unit,
        "applicant": has_role(user, Role.APPLICANT) and unit is not None,
        "staff": is_secretariat(user),
        "Status": NominationStatus,
        "expert_fields": None,
    }
    if context["applicant"]:
        context["unit_campaigns"] = _unit_campaigns(user, unit)
    if has_role(user, Role.EXPERT):
        context["expert_fields"] = _expert_fields(user)
    if context["staff"]:
        context["campaigns"] = _staff_campaigns()
    return render(request, "nominations/index.html", context)


# ---- the 推荐表 -------------------------------------------------------------------------------------


def _render_form(request, campaign, form, *, nomination=None, status=200):
    context = {
        "campaign": campaign,
        "nomination": nomination,
        "form": form,
        "industries": selectors.choosable_industries().values_list("code", "name", "level"),
        "chosen": set(form.chosen_codes()),
        "trl_levels": trl_choices(),
        "chosen_trl": str(form["trl"].value() or ""),
        "project_type": form.chosen_project_type(),
        "deadline_message": _deadline_message(campaign),
    }
    return render(request, "nominations/form.html", context, status=status)


def _save(request, campaign, form, act, *, nomination=None):
    """A valid form goes to `act(values)` (one service); a refusal shows the form again with the input kept."""
    if form.is_valid():
        try:
            saved = act(form.service_values())
        except BusinessRuleError as exc:
            form.refuse(exc)
        else:
            if request.POST.get("action") == "submit":
                return redirect("nominations:submit", pk=saved.pk)
            messages.success(request, _("“%(name)s” has been saved as a draft.") % {"name": saved.name})
            return redirect("nominations:edit", pk=saved.pk)
    messages.error(request, _("Not saved: please correct the marked fields below."))
    return _render_form(request, campaign, form, nomination=nomination, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def nomination_new(request, year):
    campaign = _campaign_or_404(year)
    if not has_role(request.user, Role.APPLICANT) or services.unit_of(request.user) is None:
        return _refused(request, _("Only a nominating unit's account (the applicant role) may do this."))
    if request.method == "GET":
        return _render_form(request, campaign, NominationForm.for_nomination())
    form = NominationForm.for_nomination(data=request.POST)
    return _save(
        request, campaign, form, lambda values: services.nomination_create(campaign, user=request.user, **values)
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination_edit(request, pk):
    nomination = permissions.nomination_or_404(request.user, pk)
    if not permissions.may_edit(request.user, nomination):
        if nomination.status != NominationStatus.DRAFT:
            messages.info(request, _("This nomination has been submitted; it can no longer be changed."))
            return redirect("nominations:detail", pk=nomination.pk)
        return _refused(request, _("Only the nominating unit may change its nomination."))
    if request.method == "GET":
        return _render_form(
            request, nomination.campaign, NominationForm.for_nomination(nomination), nomination=nomination
        )
    form = NominationForm.for_nomination(nomination, data=request.POST)
    return _save(
        request,
        nomination.campaign,
        form,
        lambda values: services.nomination_update(nomination, user=request.user, **values),
        nomination=nomination,
    )


@login_required
@require_http_methods(["GET", "POST"])
def nomination_submit(request, pk):
    """The submit step: GET shows what will be sent and asks to confirm; only the POST submits."""
    nomination = permissions.nomination_or_404(request.user, pk)
    if nomination.status != NominationStatus.DRAFT:
        messages.info(request, _("This nomination has been submitted already."))
        return redirect("nominations:detail", pk=nomination.pk)
    if request.method == "POST":
        try:
            submitted = services.nomination_submit(nomination, user=request.user)
        except NotPermitted as exc:
            return _refused(request, exc.message)
        except BusinessRuleError as exc:
            form = NominationForm.bound_to(nomination)
            if exc.field in form.fields:
                # The box at fault, on the form where it is filled in.
                form.add_error(exc.field, exc.message)
                messages.error(request, _("Not submitted: please correct the marked fields below."))
                return _render_form(request, nomination.campaign, form, nomination=nomination, status=400)
            messages.error(request, exc.message)
        else:
            if submitted.status == NominationStatus.PRESELECTION:
                text = _("“%(name)s” has been sent to %(society)s's internal selection.") % {
                    "name": submitted.name,
                    "society": nomination.preselected_by.name,
                }
            else:
                text = _("“%(name)s” has been recommended to the consortium of its field.") % {"name": submitted.name}
            messages.success(request, text)
            return redirect("nominations:detail", pk=nomination.pk)
    context = {
        "nomination": nomination,
        "industries": nomination.industries.all(),
        "trl_description": _trl_description(nomination),
        "deadline_message": _deadline_message(nomination.campaign),
        "may_submit": _is_unit_applicant(request.user, nomination),
    }
    return render(request, "nominations/submit.html", context, status=400 if request.method == "POST" else 200)


def _is_unit_applicant(user, nomination):
    """The nominating unit's own account: the one who submits (services.nomination_submit)."""
    unit = services.unit_of(user)
    return unit is not None and unit.pk == nomination.unit_id and has_role(user, Role.APPLICANT)


# ---- reading a nomination ---------------------------------------------------------------------------


def _is_field_expert(user, nomination):
    return ExpertAssignment.objects.filter(
        campaign=nomination.campaign_id, field=nomination.field, expert=user
    ).exists()


@login_required
@require_GET
def nomination_detail(request, pk):
    nomination = permissions.nomination_or_404(request.user, pk)
    user = request.user
    context = {
        "nomination": nomination,
        "industries": nomination.industries.all(),
        "may_edit": permissions.may_edit(user, nomination),
        "may_print": permissions.may_print(user, nomination),
        "may_evaluate": nomination.status in EVALUABLE_STATES
        and has_role(user, Role.EXPERT)
        and _is_field_expert(user, nomination),
        "trl_description": _trl_description(nomination),
        "Status": NominationStatus,
    }
    return render(request, "nominations/detail.html", context)


def _trl_description(nomination):
    return reference.trl_description(nomination.trl, nomination.project_type)


@login_required
@require_GET
def nomination_pdf(request, pk):
    """附件 2 as printed for the paper copy (helper G's nominations.documents)."""
    from . import documents

    nomination = permissions.nomination_or_404(request.user, pk)
    if not permissions.may_print(request.user, nomination):
        raise Http404
    return pdf_response(documents.nomination_pdf(nomination), documents.nomination_filename(nomination))


# ---- the preliminary evaluation -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request, pk):
    """二（二）初评: an expert of the field scores the six dimensions of 附件 1 (services.evaluation_save)."""
    nomination = permissions.nomination_or_404(request.user, pk)
    user = request.user
    # The form is not offered to whom the service would refuse (the same messages); a POST is always
    # the service's to judge.
    if request.method == "GET" and services.conflict_of_interest(user, nomination):
        return _refused(
            request,
            _("%(unit)s is your own unit; you cannot score its nomination.") % {"unit": services.unit_of(user).name},
        )
    if request.method == "GET" and not _is_field_expert(user, nomination):
        return _refused(
            request,
            _("Only the experts of %(field)s score this nomination.") % {"field": nomination.get_field_display()},
        )
    evaluation = Evaluation.objects.filter(nomination=nomination, expert=user).first()
    if request.method == "POST":
        form = EvaluationForm.for_evaluation(evaluation, data=request.POST)
        if form.is_valid():
            try:
                saved = services.evaluation_save(nomination, expert=user, scores=form.scores())
            except NotPermitted as exc:
                return _refused(request, exc.message)
            except BusinessRuleError as exc:
                form.refuse(exc)
            else:
                messages.success(
                    request,
                    _("Your scores of “%(name)s” have been saved: %(total)s out of 60.")
                    % {"name": nomination.name, "total": saved.total},
                )
                return redirect("nominations:index")
        messages.error(request, _("Not saved: please correct the marked fields below."))
        status = 400
    else:
        form = EvaluationForm.for_evaluation(evaluation)
        status = 200
    context = {
        "nomination": nomination,
        "evaluation": evaluation,
        "industries": nomination.industries.all(),
        "trl_description": _trl_description(nomination),
        "form": form,
        "score_fields": [form[code] for code, _label in CRITERIA],
        "total": evaluation.total if evaluation else 0,
        "open": nomination.status in EVALUABLE_STATES,
    }
    return render(request, "nominations/evaluate.html", context, status=status)


# ---- the secretariat's ranking and shortlist ----------------------------------------------------------


def _field_or_default(value):
    return value if value in Field.values else Field.values[0]


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request, year):
    """The field's ranking and the shortlist form, in a constant number of queries whatever the number of
    nominations and experts.  The ranking is read from the cache (selectors.cached_ranking) and the table
    of a plain GET is rendered once per ranking version (nominations.caching): bench/README.md §9.
    The first RANKING_ROWS rows are shown — the shortlist is 25 to 30 — and ?all=1 shows every row."""
    if not is_secretariat(request.user):
        raise PermissionDenied
    campaign = _campaign_or_404(year)
    field = _field_or_default(request.POST.get("field") or request.GET.get("field"))
    show_all = request.GET.get("all") == "1" or request.POST.get("all") == "1"
    rows = selectors.cached_ranking(campaign, field)
    error = None
    chosen = None
    if request.method == "POST":
        posted = set(request.POST.getlist("ids"))
        # In the order of the ranking: the shortlist's ranks follow the experts' means.  Anything else
        # posted goes to the service as it came, which names it in its refusal.
        ranked = {str(row.id) for row in rows}
        ids = [row.id for row in rows if str(row.id) in posted] + sorted(posted - ranked)
        try:
            shortlist = services.shortlist_set(campaign, field=field, ids=ids, actor=request.user)
        except BusinessRuleError as exc:
            error = exc.message
            chosen = posted
        else:
            messages.success(
                request,
                _("The shortlist of %(field)s has been saved: %(count)s technologies.")
                % {"field": Field(field).label, "count": len(shortlist)},
            )
            return redirect(f"{reverse('nominations:ranking', args=[year])}?field={field}")
    if chosen is None:
        marked = {str(row.id) for row in rows if row.shortlist_rank is not None}
        chosen = marked or {str(row.id) for row in rows[: campaign.shortlist_max]}
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        row.chosen = str(row.id) in chosen
    shown = rows if show_all else rows[:RANKING_ROWS]
    context = {
        "campaign": campaign,
        "field": field,
        "field_label": Field(field).label,
        "fields": Field.choices,
        "rows": shown,
        "table": _ranking_table(campaign, field, shown, cache=error is None and request.method == "GET"),
        # Ticked rows the table does not show travel with the form, so saving keeps them.
        "hidden_chosen": [row for row in rows[len(shown) :] if row.chosen],
        "total": len(rows),
        "show_all": show_all,
        "more": len(rows) - len(shown),
        "chosen_count": sum(1 for row in rows if row.chosen),
        "error": error,
    }
    return render(request, "nominations/ranking.html", context, status=400 if error else 200)


# The ranking page's rows shown without ?all=1: the shortlist (at most 30) and the next ones to compare.
RANKING_ROWS = 60


def _ranking_table(campaign, field, rows, *, cache):
    """The ranking table's rows as HTML: the template rendered once per ranking version and language."""
    key = caching.key(campaign.pk, field, "table", len(rows), get_language()) if cache else None
    html = django_cache.get(key) if key else None
    if html is None:
        detail = reverse("nominations:detail", args=[0]).removesuffix("0/")  # one reverse, not one a row
        html = render_to_string("nominations/_ranking_rows.html", {"rows": rows, "detail": detail})
        if key:
            django_cache.set(key, str(html), caching.SECONDS)
    return mark_safe(html)  # the template's own output, escaped when it was rendered


# ---- the published list (public) ---------------------------------------------------------------------


@require_GET
def published(request, year):
    campaign = _campaign_or_404(year)
    groups = {}
    for nomination in selectors.published_list(campaign):
        groups.setdefault(nomination.field, []).append(nomination)
    context = {
        "campaign": campaign,
        "publication": Publication.objects.filter(campaign=campaign).first(),
        "groups": [(label, groups[value]) for value, label in Field.choices if value in groups],
    }
    return render(request, "nominations/published.html", context)


@require_GET
def published_xlsx(request, year):
    from . import exports

    campaign = _campaign_or_404(year)
    return exports.published_workbook_response(campaign)


@login_required
@require_http_methods(["GET", "POST"])
def final_review(request, year):
    """二（三）终审: the office records the final review's decision — which shortlisted technologies make
    the published list (at most the campaign's list size, 100) — once; services.publish refuses a second
    time and anything before the preliminary evaluation closes."""
    if not is_secretariat(request.user):
        raise PermissionDenied
    campaign = _campaign_or_404(year)
    candidates = list(selectors.shortlisted(campaign))
    error = None
    chosen = set()
    if request.method == "POST":
        chosen = set(request.POST.getlist("ids"))
        if request.POST.get("confirm") != "1":
            error = _("Tick the confirmation: the list cannot be changed once it is published.")
        else:
            ids = [n.pk for n in candidates if str(n.pk) in chosen]  # the list's order: field, then rank
            try:
                services.publish(campaign, ids=ids, actor=request.user)
            except BusinessRuleError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("The %(year)s list is published: %(count)s technologies.") % {"year": year, "count": len(ids)},
                )
                return redirect("nominations:list", year=year)
    groups = {}
    for nomination in candidates:
        nomination.chosen = str(nomination.pk) in chosen
        groups.setdefault(nomination.field, []).append(nomination)
    context = {
        "campaign": campaign,
        "publication": Publication.objects.filter(campaign=campaign).first(),
        "groups": [(label, groups[value]) for value, label in Field.choices if value in groups],
        "count": len(candidates),
        "error": error,
    }
    return render(request, "nominations/final.html", context, status=400 if error else 200)


# ---- the detailed materials as files (附件 2: 详细材料可另附) --------------------------------------------


@login_required
@require_GET
def attachment_download(request, pk):
    """An attachment, for whoever may read its nomination (selectors.nominations_for): the nominating
    unit, staff, the experts of the field.  Anyone else gets 404."""
    from django.http import FileResponse

    from .models import NominationAttachment

    attachment = NominationAttachment.objects.filter(pk=pk).first()
    if attachment is None or not selectors.nominations_for(request.user).filter(pk=attachment.nomination_id).exists():
        raise Http404(_("No such attachment."))
    is_pdf = attachment.original_name.lower().endswith(".pdf")
    return FileResponse(
        attachment.file.open("rb"),
        content_type="application/pdf"
        if is_pdf
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=not is_pdf or request.GET.get("download") == "1",
        filename=attachment.original_name,
    )


def _attachment_redirect(nomination, kind):
    section = "section-benefits" if kind == "benefits" else "section-level"
    return redirect(f"{reverse('nominations:edit', args=[nomination.pk])}#{section}")


@login_required
@require_http_methods(["POST"])
def attachment_upload(request, pk):
    """The edit page's upload of a detailed material (services.attachment_upload); back to the page."""
    nomination = permissions.nomination_or_404(request.user, pk)
    kind = request.POST.get("kind", "")
    try:
        attachment = services.attachment_upload(
            nomination, kind=kind, upload=request.FILES.get("file"), user=request.user
        )
    except NotPermitted as exc:
        return _refused(request, exc.message)
    except BusinessRuleError as exc:
        messages.error(request, _("Not uploaded: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(
            request,
            _("“%(file)s” has been attached (%(count)s characters).")
            % {"file": attachment.original_name, "count": f"{attachment.characters:,}"},
        )
    return _attachment_redirect(nomination, kind)


@login_required
@require_http_methods(["POST"])
def attachment_remove(request, pk, kind):
    nomination = permissions.nomination_or_404(request.user, pk)
    try:
        name = services.attachment_remove(nomination, kind=kind, user=request.user)
    except NotPermitted as exc:
        return _refused(request, exc.message)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(file)s” has been removed.") % {"file": name})
    return _attachment_redirect(nomination, kind)
