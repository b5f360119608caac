"""The specialist's self-service page (/me/points/) and the certificate downloads.

Pages read through selectors and write through services; every form posts to a view that calls
one service, reports the outcome as a message and redirects back (post/redirect/get).
"""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliance.exceptions import BusinessRuleError

from . import documents, selectors, services
from .enums import REDEEMING_STATES, RewardKind, SpecialistStatus
from .forms import DocumentRequestForm, LedgerFilterForm, LiaisonChangeForm, RedeemForm, TransferForm
from .models import IssuedDocument, Specialist
from .permissions import can_view_specialist

LEDGER_PAGE_SIZE = 20
CHART_MONTHS = 12


def _me(request):
    """The logged-in user's specialist record; staff and other users have none (404)."""
    specialist = selectors.specialist_for_user(request.user)
    if specialist is None:
        raise Http404(_("You have no specialist record."))
    return specialist


def _nice_ceiling(value):
    """The smallest of 1, 2, 5 × 10^k that is at least `value` (a readable axis maximum)."""
    if value <= 0:
        return 10
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def points_chart(rows, *, width=640, height=220):
    """Geometry of an inline SVG: earned/spent bars per month and the month-end balance line."""
    left, right, top, bottom = 44, 8, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max([1, *(max(r["earned"], r["spent"], r["balance"]) for r in rows)]))
    slot = plot_w / max(len(rows), 1)

    def y(value):
        return round(top + plot_h - value / top_value * plot_h, 1)

    months, line = [], []
    for i, row in enumerate(rows):
        x = left + i * slot
        centre = round(x + slot / 2, 1)
        bar = round(slot * 0.32, 1)
        months.append(
            {
                "label": row["month"].strftime("%Y-%m") if i == 0 or row["month"].month == 1 else f"{row['month']:%m}",
                "x": centre,
                "earned": {"x": round(centre - bar, 1), "y": y(row["earned"]), "h": round(y(0) - y(row["earned"]), 1)},
                "spent": {"x": centre, "y": y(row["spent"]), "h": round(y(0) - y(row["spent"]), 1)},
                "bar": bar,
                "row": row,
            }
        )
        line.append(f"{centre},{y(row['balance'])}")
    grid = [{"y": y(v), "label": v} for v in (0, top_value // 2, top_value)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "baseline": y(0),
        "grid": grid,
        "months": months,
        "line": " ".join(line),
        "dots": [{"x": m["x"], "y": y(m["row"]["balance"])} for m in months],
    }


def _redeem_forms(rewards):
    for item in rewards:
        item["form"] = RedeemForm(initial={"reward": item["code"]})
        item["needs_price"] = item["kind"] == RewardKind.HALF_PRICE
        item["is_cash"] = item["kind"] == RewardKind.CASH
    return rewards


@login_required
@require_GET
def my_points(request):
    specialist = selectors.specialist_for_user(request.user)
    if specialist is None:
        return render(request, "specialists/not_a_specialist.html", status=404)
    today = timezone.localdate()
    filters = LedgerFilterForm(request.GET or None)
    ledger = Paginator(selectors.ledger_for(specialist, **filters.filters()), LEDGER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    is_general = specialist.status == SpecialistStatus.GENERAL
    context = {
        "specialist": specialist,
        "today": today,
        "standing": selectors.standing(specialist, as_of=today),
        "chart": points_chart(selectors.points_by_month(specialist, as_of=today, months=CHART_MONTHS)),
        "filters": filters,
        "ledger": ledger,
        "query": query.urlencode(),
        "may_spend": specialist.status in REDEEMING_STATES,
        "is_general": is_general,
        "rewards": _redeem_forms(selectors.reward_catalogue(balance=specialist.balance)),
        "transfer_form": TransferForm(),
        "redemptions": selectors.redemptions_of(specialist),
        "documents": documents.documents_of(specialist),
        "document_requests": selectors.document_requests_of(specialist),
        "document_form": DocumentRequestForm(),
        "liaison_request": selectors.open_liaison_request(specialist),
        "liaison_form": LiaisonChangeForm(),
    }
    return render(request, "specialists/my_points.html", context)


def _back(anchor):
    return redirect(f"{reverse('specialists:my-points')}#{anchor}")


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
@require_POST
def redeem(request):
    specialist = _me(request)
    form = RedeemForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back("rewards")
    data = form.cleaned_data
    try:
        redemption, created = services.redemption_create(
            specialist,
            reward=data["reward"],
            quantity=data["quantity"] or 1,
            price=data["price"],
            cash_points=data["cash_points"],
            idempotency_key=data["idempotency_key"],
            actor=request.user,
        )
    except BusinessRuleError as exc:
        messages.error(request, _("Not redeemed: %(reason)s") % {"reason": exc.message})
        return _back("rewards")
    values = {"reward": redemption.reward.name, "points": redemption.points, "balance": redemption.balance_after}
    if created:
        messages.success(
            request,
            _(
                "Redeemed %(reward)s for %(points)s points; your balance is now %(balance)s. "
                "The service centre will contact you to hand it over."
            )
            % values,
        )
    else:
        messages.info(request, _("This redemption was already recorded (%(reward)s, %(points)s points).") % values)
    return _back("rewards")


@login_required
@require_POST
def transfer(request):
    specialist = _me(request)
    form = TransferForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back("transfer")
    data = form.cleaned_data
    recipient = Specialist.objects.filter(user__username=data["to"].strip()).values_list("pk", flat=True).first()
    try:
        if recipient is None:
            raise BusinessRuleError(_("No active specialist uses the account name %(name)s.") % {"name": data["to"]})
        result, created = services.transfer_create(
            specialist,
            recipient=recipient,
            points=data["points"],
            idempotency_key=data["idempotency_key"],
            actor=request.user,
        )
    except BusinessRuleError as exc:
        messages.error(request, _("Not transferred: %(reason)s") % {"reason": exc.message})
        return _back("transfer")
    values = {"points": result.points, "name": result.recipient.name, "balance": result.balance_after}
    if created:
        messages.success(
            request, _("Transferred %(points)s points to %(name)s; your balance is now %(balance)s.") % values
        )
    else:
        messages.info(request, _("This transfer was already recorded (%(points)s points to %(name)s).") % values)
    return _back("transfer")


@login_required
@require_POST
def document_request(request):
    specialist = _me(request)
    form = DocumentRequestForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back("documents")
    try:
        paper = services.document_request_create(specialist, **form.cleaned_data)
    except BusinessRuleError as exc:
        messages.error(request, _("Not requested: %(reason)s") % {"reason": exc.message})
        return _back("documents")
    messages.success(
        request,
        _("Your request for %(copies)s paper copies of the %(document)s has been sent to the service centre.")
        % {"copies": paper.copies, "document": paper.get_kind_display()},
    )
    return _back("documents")


@login_required
@require_POST
def liaison_change(request):
    specialist = _me(request)
    form = LiaisonChangeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back("liaison")
    try:
        services.liaison_change_request_create(specialist, reason=form.cleaned_data["reason"])
    except BusinessRuleError as exc:
        messages.error(request, _("Not sent: %(reason)s") % {"reason": exc.message})
        return _back("liaison")
    messages.success(request, _("Your request for another liaison has been sent to the service centre."))
    return _back("liaison")


@login_required
@require_GET
def document_download(request, pk):
    """A certificate's PDF, for the specialist it was issued to or staff; anyone else gets 404."""
    document = get_object_or_404(IssuedDocument.objects.select_related("specialist"), pk=pk)
    if not can_view_specialist(request.user, document.specialist) or not document.ready:
        raise Http404
    return FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=documents.download_name(document),
    )
