"""The specialist's self-service page (/me/points/) and the certificate downloads.

Pages read through selectors and write through services; every form posts to a view that calls
one service, reports the outcome as a message and redirects back (post/redirect/get).
"""

import math
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliance.exceptions import BusinessRuleError

from . import documents, selectors, services
from .enums import FROZEN_STATES, REDEEMING_STATES, DocumentKind, EntryKind, RewardKind, SpecialistStatus
from .forms import DocumentRequestForm, LedgerFilterForm, LiaisonChangeForm, RedeemForm, TransferForm
from .models import IssuedDocument
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
    """The geometry of the points chart (drawn as SVG by specialists/_points_chart.html): per month,
    bars of the points earned and spent and a dot of the month-end balance, joined by a line.

    Coordinates are formatted to one decimal here, so the template only places them."""
    left, right, top, bottom = 48, 8, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max([1, *(max(r["earned"], r["spent"], r["balance"]) for r in rows)]))
    slot = plot_w / max(len(rows), 1)
    bar = slot * 0.32

    def y(value):
        return top + plot_h - value / top_value * plot_h

    def n(value):
        return f"{value:.1f}"

    months = []
    for i, row in enumerate(rows):
        centre = left + i * slot + slot / 2
        earned, spent, balance = row["earned"], row["spent"], row["balance"]
        months.append(
            {
                **row,
                "centre": n(centre),
                "earned_x": n(centre - bar),
                "earned_y": n(y(earned)),
                "earned_height": n(y(0) - y(earned)),
                "spent_y": n(y(spent)),
                "spent_height": n(y(0) - y(spent)),
                "balance_y": n(y(balance)),
            }
        )
    return {
        "width": width,
        "height": height,
        "bar": n(bar),
        "axis_x": left - 6,
        "grid_x1": left,
        "grid_x2": width - right,
        "label_y": height - 9,
        "grid": [{"value": value, "y": n(y(value))} for value in (0, top_value // 2, top_value)],
        "months": months,
        "line": " ".join(f"{m['centre']},{m['balance_y']}" for m in months),
    }


def _reward_items(rewards):
    """The catalogue with what its rows show, worked out once here rather than per row in the template."""
    for item in rewards:
        reward = item["reward"]
        item["needs_price"] = item["kind"] == RewardKind.HALF_PRICE
        item["is_cash"] = item["kind"] == RewardKind.CASH
        if item["cost"] is not None:
            item["cost_text"] = _("%(cost)s points") % {"cost": item["cost"]}
        elif item["needs_price"]:
            item["cost_text"] = _("half the price in points")
        else:
            item["cost_text"] = _("points above %(floor)s, %(rate)s points = 1 yuan") % {
                "floor": reward.floor,
                "rate": reward.rate,
            }
        if item["is_cash"]:
            item["cash_text"] = _("at most %(n)s") % {"n": item["max_cash_points"]}
    return rewards


@login_required
@require_GET
def my_points(request):
    specialist = selectors.specialist_for_user(request.user, people=True)
    if specialist is None:
        return render(request, "specialists/not_a_specialist.html", status=404)
    today = timezone.localdate()
    filters = LedgerFilterForm(request.GET)
    ledger_filters = filters.filters()
    totals = selectors.monthly_totals(specialist, as_of=today)
    # The whole ledger's size is the sum of the months' counts: no COUNT(*) unless filtered.
    count = None if ledger_filters else sum(row["entries"] for row in totals)
    ledger = selectors.ledger_page(
        selectors.ledger_of(specialist, **ledger_filters),
        request.GET.get("page"),
        per_page=LEDGER_PAGE_SIZE,
        count=count,
    )
    query = request.GET.copy()
    query.pop("page", None)
    issued = selectors.documents_of(specialist)
    months = selectors.points_by_month(specialist, as_of=today, months=CHART_MONTHS, totals=totals)
    kinds = {d.kind for d in issued} | set(documents.GENERAL_KINDS)
    context = {
        # One idempotency key per response: submitting the same rendered form twice records once.
        "page_key": uuid.uuid4().hex,
        "specialist": specialist,
        "today": today,
        "standing": selectors.standing(specialist, as_of=today),
        "chart": points_chart(months),
        "chart_range": (months[0]["month"], months[-1]["month"]),
        "filters": filters,
        "selected": filters.cleaned_data if not filters.errors else {},
        "filter_errors": filters.errors,
        "rule_choices": selectors.rule_choices(),
        "kind_choices": EntryKind.choices,
        "ledger": ledger,
        "query": query.urlencode(),
        "may_spend": specialist.status in REDEEMING_STATES,
        "is_general": specialist.status == SpecialistStatus.GENERAL,
        # 第三条 / 第九条 4: a liaison looks after those on the list; an exited (or rejected) one has none.
        "has_liaison_service": specialist.status not in FROZEN_STATES,
        "rewards": _reward_items(selectors.reward_catalogue(balance=specialist.balance)),
        "redemptions": selectors.redemptions_of(specialist),
        "documents": issued,
        "document_requests": selectors.document_requests_of(specialist),
        "document_kinds": [(k, label) for k, label in DocumentKind.choices if k in kinds],
    }
    return render(request, "specialists/my_points.html", context)


def _back(anchor):
    return redirect(f"{reverse('specialists:my-points')}#{anchor}")


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _post(request, form_class, anchor, refused, act):
    """Every self-service form: parse it, call one service through `act(specialist, cleaned_data)`, which
    returns the outcome as (message level, text), report a refusal as `refused` (with `%(reason)s`), and
    go back to the page's `anchor` (post/redirect/get)."""
    specialist = _me(request)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(anchor)
    try:
        level, text = act(specialist, form.cleaned_data)
    except BusinessRuleError as exc:
        messages.error(request, refused % {"reason": exc.message})
    else:
        messages.add_message(request, level, text)
    return _back(anchor)


@login_required
@require_POST
def redeem(request):
    def act(specialist, data):
        redemption, created = services.redemption_create(
            specialist,
            reward=data["reward"],
            quantity=data["quantity"] or 1,
            price=data["price"],
            cash_points=data["cash_points"],
            idempotency_key=data["idempotency_key"],
            actor=request.user,
        )
        values = {"reward": redemption.reward.name, "points": redemption.points, "balance": redemption.balance_after}
        if created:
            return messages.SUCCESS, _(
                "Redeemed %(reward)s for %(points)s points; your balance is now %(balance)s. "
                "The service centre will contact you to hand it over."
            ) % values
        return messages.INFO, _("This redemption was already recorded (%(reward)s, %(points)s points).") % values

    return _post(request, RedeemForm, "rewards", _("Not redeemed: %(reason)s"), act)


@login_required
@require_POST
def transfer(request):
    """Two steps: the page's form posts here and gets a confirmation page naming the recipient and the
    points (nothing moves); its 确认 button posts the same fields, the same idempotency key and
    `confirm`, and only that POST transfers."""
    if request.POST.get("confirm") != "1":
        return _transfer_confirmation(request)

    def act(specialist, data):
        result, created = services.transfer_to_account(
            specialist,
            username=data["to"],
            points=data["points"],
            idempotency_key=data["idempotency_key"],
            actor=request.user,
        )
        values = {"points": result.points, "name": result.recipient.name, "balance": result.balance_after}
        if created:
            return messages.SUCCESS, _(
                "Transferred %(points)s points to %(name)s; your balance is now %(balance)s."
            ) % values
        return messages.INFO, _("This transfer was already recorded (%(points)s points to %(name)s).") % values

    return _post(request, TransferForm, "transfer", _("Not transferred: %(reason)s"), act)


def _transfer_confirmation(request):
    """The transfer's first step: check it as the service would and show who receives how many points."""
    specialist = _me(request)
    form = TransferForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back("transfer")
    data = form.cleaned_data
    try:
        recipient, balance_after = services.transfer_preview(specialist, username=data["to"], points=data["points"])
    except BusinessRuleError as exc:
        messages.error(request, _("Not transferred: %(reason)s") % {"reason": exc.message})
        return _back("transfer")
    context = {
        "specialist": specialist,
        "recipient": recipient,
        "account": data["to"].strip(),
        "points": data["points"],
        "balance_after": balance_after,
        "idempotency_key": data["idempotency_key"],
    }
    return render(request, "specialists/transfer_confirm.html", context)


@login_required
@require_POST
def document_request(request):
    def act(specialist, data):
        paper = services.document_request_create(specialist, **data)
        return messages.SUCCESS, _(
            "Your request for %(copies)s paper copies of the %(document)s has been sent to the service centre."
        ) % {"copies": paper.copies, "document": paper.get_kind_display()}

    return _post(request, DocumentRequestForm, "documents", _("Not requested: %(reason)s"), act)


@login_required
@require_POST
def liaison_change(request):
    """第三条: ask for another liaison; the service refuses it for an exited (or rejected) specialist."""

    def act(specialist, data):
        services.liaison_change_request_create(specialist, reason=data["reason"])
        return messages.SUCCESS, _("Your request for another liaison has been sent to the service centre.")

    return _post(request, LiaisonChangeForm, "liaison", _("Not sent: %(reason)s"), act)


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
