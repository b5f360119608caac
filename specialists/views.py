"""The specialist's self-service page (/me/points/) and the certificate downloads.

Pages read through selectors and write through services; every form posts to a view that calls
one service, reports the outcome as a message and redirects back (post/redirect/get).
"""

import hashlib
import math
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliance.exceptions import BusinessRuleError

from . import documents, selectors, services
from .enums import REDEEMING_STATES, DocumentKind, EntryKind, RewardKind, SpecialistStatus
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
    """An inline SVG (built here: a template would spend more time than the page's queries) of the
    points earned and spent per month as bars and the month-end balance as a line."""
    left, right, top, bottom = 48, 8, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max([1, *(max(r["earned"], r["spent"], r["balance"]) for r in rows)]))
    slot = plot_w / max(len(rows), 1)
    bar = slot * 0.32

    def y(value):
        return top + plot_h - value / top_value * plot_h

    def n(value):
        return f"{value:.1f}"

    parts = [
        format_html(
            '<svg class="sp-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title">'
            '<title id="chart-title">{}</title>',
            width,
            height,
            _("Points earned and spent per month, and the balance at each month's end"),
        )
    ]
    for value in (0, top_value // 2, top_value):
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
                '<text x="{}" y="{}" class="axis" text-anchor="end" dominant-baseline="middle">{}</text>',
                left,
                width - right,
                n(y(value)),
                n(y(value)),
                left - 6,
                n(y(value)),
                value,
            )
        )
    line = []
    balance_label = _("balance")
    for i, row in enumerate(rows):
        centre = left + i * slot + slot / 2
        month = row["month"]
        label = str(month.month)  # the caption above the chart names the months' range
        parts.append(
            format_html(
                "<g><title>{}: +{} / −{} · {} {}</title>"
                '<rect class="earned" x="{}" y="{}" width="{}" height="{}"/>'
                '<rect class="spent" x="{}" y="{}" width="{}" height="{}"/></g>'
                '<text x="{}" y="{}" class="axis" text-anchor="middle">{}</text>',
                f"{month:%Y-%m}",
                row["earned"],
                row["spent"],
                balance_label,
                row["balance"],
                n(centre - bar),
                n(y(row["earned"])),
                n(bar),
                n(y(0) - y(row["earned"])),
                n(centre),
                n(y(row["spent"])),
                n(bar),
                n(y(0) - y(row["spent"])),
                n(centre),
                height - 9,
                label,
            )
        )
        line.append((centre, y(row["balance"])))
    parts.append(format_html('<polyline class="balance" points="{}"/>', " ".join(f"{x:.1f},{v:.1f}" for x, v in line)))
    parts.extend(format_html('<circle class="balance-dot" cx="{}" cy="{}" r="3"/>', n(x), n(v)) for x, v in line)
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


def _with_flags(rewards):
    for item in rewards:
        item["needs_price"] = item["kind"] == RewardKind.HALF_PRICE
        item["is_cash"] = item["kind"] == RewardKind.CASH
    return rewards


# The page body is cached per specialist, data version, day, language and query string; staff
# edits of reference data (reward names, rule names) show within this many seconds.
PAGE_CACHE_SECONDS = 300
# Stand-ins for the per-request parts of the cached body, replaced on every response.
CSRF_MARK = "__specialists_csrf__"
KEY_MARK = "__specialists_key__"


@login_required
@require_GET
def my_points(request):
    specialist = selectors.specialist_for_user(request.user)
    if specialist is None:
        return render(request, "specialists/not_a_specialist.html", status=404)
    today = timezone.localdate()
    filters = LedgerFilterForm(request.GET or None)
    page_number = request.GET.get("page") or "1"
    version = selectors.page_version(specialist)
    # The whole query string is part of the key: the body shows the filters as given (and their errors).
    facts = (specialist.pk, version, today, get_language(), sorted(request.GET.lists()))
    key = "specialists:my-points:" + hashlib.sha256(repr(facts).encode()).hexdigest()
    body = cache.get(key)
    if body is None:
        body = _page_body(request, specialist, filters, page_number, today)
        cache.set(key, body, PAGE_CACHE_SECONDS)
    # Every response gets the session's CSRF token and a fresh idempotency key for its forms.
    body = body.replace(CSRF_MARK, get_token(request)).replace(KEY_MARK, uuid.uuid4().hex)
    return render(request, "specialists/my_points.html", {"body": mark_safe(body), "specialist": specialist})


def _page_body(request, specialist, filters, page_number, today):
    ledger = Paginator(selectors.ledger_for(specialist, **filters.filters()), LEDGER_PAGE_SIZE).get_page(page_number)
    query = request.GET.copy()
    query.pop("page", None)
    is_general = specialist.status == SpecialistStatus.GENERAL
    issued = list(documents.documents_of(specialist))
    months = selectors.points_by_month(specialist, as_of=today, months=CHART_MONTHS)
    kinds = {d.kind for d in issued} | set(documents.GENERAL_KINDS)
    context = {
        "csrf_token": CSRF_MARK,
        "page_key": KEY_MARK,
        "specialist": specialist,
        "today": today,
        "standing": selectors.standing(specialist, as_of=today),
        "chart": points_chart(months),
        "chart_range": (months[0]["month"], months[-1]["month"]),
        "selected": filters.cleaned_data if filters.is_bound and filters.is_valid() else {},
        "filter_errors": filters.non_field_errors() if filters.is_bound else [],
        "rule_choices": selectors.rule_choices(),
        "kind_choices": EntryKind.choices,
        "ledger": ledger,
        "query": query.urlencode(),
        "may_spend": specialist.status in REDEEMING_STATES,
        "is_general": is_general,
        "rewards": _with_flags(selectors.reward_catalogue(balance=specialist.balance)),
        "redemptions": selectors.redemptions_of(specialist),
        "documents": issued,
        "document_requests": selectors.document_requests_of(specialist),
        "document_kinds": [(k, label) for k, label in DocumentKind.choices if k in kinds],
        "liaison_request": selectors.open_liaison_request(specialist),
    }
    return render_to_string("specialists/_my_points_body.html", context)


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
