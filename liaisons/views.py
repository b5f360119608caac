"""Pages of the liaison programme (seed 002): the liaison's own page and the office's assessment.

Pages read through selectors and write through services. Each form of the liaison's page posts to a view
that calls one service; a success is reported as a message and redirects back (post/redirect/get), a
refusal shows the page again with the input kept and the service's message on the field at fault.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.pdf import pdf_response
from alliance.roles import is_secretariat
from alliance.validation import EARLIEST_YEAR

from . import permissions, selectors, services
from .enums import ArticleStatus, GatheringKind, RequestStatus
from .forms import ArticleForm, ChangeRequestForm, ContactForm, FeedbackForm, UnitForm
from .models import FeePayment, Liaison

# ---- the liaison's own page -----------------------------------------------------------------------


def _not_a_liaison(request):
    return render(request, "liaisons/not_a_liaison.html", status=403)


def liaison_view(view):
    """login_required, then the user's active post (permissions.own_post) passed as `liaison`; anyone
    without one (never a liaison, or handed over) gets the page explaining why (403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            liaison = permissions.own_post(request.user)
            return view(request, liaison, *args, **kwargs)
        except NotPermitted:
            # Also a post ended between showing the page and posting its form (a handover).
            return _not_a_liaison(request)

    return wrapped


def _forms(liaison, **bound):
    """The page's forms, empty or with the current values, except the one being shown again."""
    unit = liaison.organisation
    forms = {
        "contact_form": ContactForm.for_liaison(liaison),
        "unit_form": UnitForm.for_unit(unit),
        "change_form": ChangeRequestForm.blank(),
        "article_form": ArticleForm.blank(),
        "feedback_form": FeedbackForm.blank(),
    }
    forms.update(bound)
    return forms


def _render_page(request, liaison, *, status=200, **bound):
    unit = liaison.organisation
    page = selectors.liaison_page(liaison)
    today = timezone.localdate()
    fees = page["fees"]
    for fee in fees:
        fee.overdue = fee.paid_on is None and fee.due_on < today
    attendance = page["attendance"]
    context = {
        "liaison": liaison,
        "unit": unit,
        "memberships": page["memberships"],
        "resume": page["resume"],
        "change_requests": page["change_requests"],
        "articles": page["articles"],
        "feedback": page["feedback"],
        "fees": fees,
        "meetings": [a.gathering for a in attendance if a.gathering.kind == GatheringKind.MEETING],
        "trainings": [a.gathering for a in attendance if a.gathering.kind == GatheringKind.TRAINING],
        "ArticleStatus": ArticleStatus,
        "RequestStatus": RequestStatus,
        **_forms(liaison, **bound),
    }
    return render(request, "liaisons/me.html", context, status=status)


@require_GET
@liaison_view
def me(request, liaison):
    return _render_page(request, liaison)


def _back(anchor):
    return redirect(f"{reverse('liaisons:me')}#{anchor}")


def _submit(request, liaison, form, form_key, anchor, act):
    """Every form of the page: a valid form goes to `act(cleaned_data)`, which calls one service and returns
    the success message; a refusal (the form's or the service's) shows the page again with the input kept."""
    if form.is_valid():
        try:
            text = act(form.cleaned_data)
        except NotPermitted:
            raise
        except BusinessRuleError as exc:
            form.refuse(exc)
        else:
            messages.success(request, text)
            return _back(anchor)
    messages.error(request, _("Not saved: please correct the marked fields below."))
    return _render_page(request, liaison, status=400, **{form_key: form})


@require_POST
@liaison_view
def contact_update(request, liaison):
    def act(data):
        services.liaison_update(liaison, actor=request.user, **data)
        return _("Your contact details have been updated.")

    form = ContactForm.for_liaison(liaison, request.POST)
    return _submit(request, liaison, form, "contact_form", "contact", act)


@require_POST
@liaison_view
def unit_update(request, liaison):
    def act(data):
        services.unit_update(liaison.organisation, liaison=liaison, **data)
        return _("The unit's address and postcode have been updated.")

    form = UnitForm.for_unit(liaison.organisation, request.POST)
    return _submit(request, liaison, form, "unit_form", "unit", act)


@require_POST
@liaison_view
def change_request(request, liaison):
    def act(data):
        services.unit_change_request(liaison, **data)
        return _("Your request has been sent to the association office, which will decide on it.")

    form = ChangeRequestForm.blank(request.POST)
    return _submit(request, liaison, form, "change_form", "unit", act)


@require_POST
@liaison_view
def article_submit(request, liaison):
    def act(data):
        article = services.article_submit(liaison, title=data["title"], url=data["url"])
        return _("“%(title)s” has been submitted; the office will decide whether the website uses it.") % {
            "title": article.title
        }

    form = ArticleForm.blank(request.POST)
    return _submit(request, liaison, form, "article_form", "articles", act)


@require_POST
@liaison_view
def feedback_raise(request, liaison):
    def act(data):
        services.feedback_raise(liaison, subject=data["subject"], body=data["body"])
        return _("Your feedback has been sent to the association office; its answer will appear here.")

    form = FeedbackForm.blank(request.POST)
    return _submit(request, liaison, form, "feedback_form", "feedback", act)


@require_http_methods(["GET", "POST"])
@liaison_view
def fee_confirm(request, liaison, pk):
    """第七条 五: GET asks the liaison to confirm the year's fee handling; only the POST records it."""
    fee = get_object_or_404(
        FeePayment.objects.select_related("membership"), pk=pk, membership__organisation=liaison.organisation_id
    )
    if request.method == "GET":
        return render(request, "liaisons/fee_confirm.html", {"liaison": liaison, "fee": fee})
    already = fee.handled_by_id is not None
    services.fee_confirm_handling(fee, liaison=liaison)
    if already:
        messages.info(request, _("The %(year)s fee handling was already confirmed.") % {"year": fee.year})
    else:
        messages.success(
            request,
            _("Recorded: you have seen to the %(year)s membership fee of %(association)s.")
            % {"year": fee.year, "association": fee.membership.get_association_display()},
        )
    return _back("fees")


@login_required
@require_GET
def photo(request, pk):
    """A liaison's photo thumbnail for the liaison themself or the office; anyone else gets 404.

    Uploaded files are never served from MEDIA_URL."""
    liaison = get_object_or_404(Liaison, pk=pk)
    post = selectors.current_liaison_of(request.user)
    if not ((post is not None and post.pk == liaison.pk) or is_secretariat(request.user)):
        raise Http404
    image = liaison.thumbnail or liaison.photo
    if not image:
        raise Http404
    response = FileResponse(image.open("rb"), content_type="image/jpeg" if liaison.thumbnail else None)
    response["Cache-Control"] = "private, max-age=300"
    return response


# ---- PDFs ---------------------------------------------------------------------------------------


@login_required
@require_GET
def registration_pdf(request, pk):
    """The unit's liaison registration form as PDF: for the office or the unit's current liaison (else 404)."""
    from . import documents

    unit = selectors.unit_with_liaisons(selectors.units_for(request.user).filter(pk=pk)).first()
    if unit is None:
        raise Http404
    liaisons = list(unit.liaisons.all())  # the current one first
    if not liaisons:
        raise Http404
    liaison = liaisons[0]
    return pdf_response(documents.registration_pdf(liaison), documents.registration_filename(liaison))


# ---- the office's assessment ----------------------------------------------------------------------


def _office(request):
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the association office may open the liaison assessment."))


def _check_year(year):
    if not EARLIEST_YEAR <= year <= timezone.localdate().year:
        raise Http404


@login_required
@require_GET
def assessment_latest(request):
    """The last complete year is the one assessed (第十三条 每年考评)."""
    _office(request)
    year = request.GET.get("year", "")
    if year.isdigit():
        return redirect("liaisons:assessment", year=int(year))
    return redirect("liaisons:assessment", year=timezone.localdate().year - 1)


@login_required
@require_GET
def assessment(request, year):
    _office(request)
    _check_year(year)
    rows = selectors.assessment(year)
    criteria, bands = selectors.assessment_rules()
    ranked = [row for row in rows if not row.inactive]
    inactive = [row for row in rows if row.inactive]
    this_year = timezone.localdate().year
    context = {
        "year": year,
        "years": list(range(this_year, max(EARLIEST_YEAR, this_year - 10) - 1, -1)),
        "ranked": ranked,
        "inactive": inactive,
        "criteria": criteria,
        "bands": bands,
        "excellent": sum(1 for row in ranked if row.excellent),
        "stipend_total": sum((row.stipend for row in ranked), start=0),
    }
    return render(request, "liaisons/assessment.html", context)


@login_required
@require_GET
def replacement_letter(request, year, liaison_id):
    """第十三条: the letter suggesting that the unit replace a liaison who did not do their duties."""
    from . import documents

    _office(request)
    _check_year(year)
    # 第十三条: only for a liaison who held the post that year and did none of its duties.
    liaison = selectors.inactive_in(year, liaison_id)
    if liaison is None:
        raise Http404(_("This liaison did their duties in %(year)s (or did not hold the post then).") % {"year": year})
    unit = liaison.organisation
    return pdf_response(
        documents.replacement_letter_pdf(unit, liaison, year), documents.replacement_letter_filename(unit, year)
    )
