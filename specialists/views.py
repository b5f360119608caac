"""The specialist's self-service page (/me/points/) and the certificate downloads.

Pages read through selectors and write through services; every form posts to a view that calls
one service, reports the outcome as a message and redirects back (post/redirect/get).
"""

import math
import uuid
from html import escape as html_escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from alliance.exceptions import BusinessRuleError
from alliance.models import Profile
from alliance.roles import remember_role_names

from . import documents, selectors, services
from .enums import REDEEMING_STATES, DocumentKind, EntryKind, RewardKind, SpecialistStatus
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
    """An inline SVG (built here: a template would spend more time than the page's queries) of the
    points earned and spent per month as bars and the month-end balance as a line.

    Every value placed in it is a number or a date except the two translated texts, which are escaped."""
    left, right, top, bottom = 48, 8, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_ceiling(max([1, *(max(r["earned"], r["spent"], r["balance"]) for r in rows)]))
    slot = plot_w / max(len(rows), 1)
    bar = slot * 0.32

    def y(value):
        return top + plot_h - value / top_value * plot_h

    title = html_escape(_("Points earned and spent per month, and the balance at each month's end"))
    parts = [f'<svg class="sp-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title">']
    parts.append(f'<title id="chart-title">{title}</title>')
    for value in (0, top_value // 2, top_value):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y(value):.1f}" class="axis" text-anchor="end" dominant-baseline="middle">'
            f"{value}</text>"
        )
    line = []
    balance_label = html_escape(_("balance"))
    for i, row in enumerate(rows):
        centre = left + i * slot + slot / 2
        month, earned, spent = row["month"], row["earned"], row["spent"]
        parts.append(
            f"<g><title>{month:%Y-%m}: +{earned} / −{spent} · {balance_label} {row['balance']}</title>"
            f'<rect class="earned" x="{centre - bar:.1f}" y="{y(earned):.1f}" width="{bar:.1f}" '
            f'height="{y(0) - y(earned):.1f}"/>'
            f'<rect class="spent" x="{centre:.1f}" y="{y(spent):.1f}" width="{bar:.1f}" '
            f'height="{y(0) - y(spent):.1f}"/>'
            # the caption above the chart names the months' range
            f'</g><text x="{centre:.1f}" y="{height - 9}" class="axis" text-anchor="middle">{month.month}</text>'
        )
        line.append((centre, y(row["balance"])))
    parts.append(f'<polyline class="balance" points="{" ".join(f"{x:.1f},{v:.1f}" for x, v in line)}"/>')
    parts.extend(f'<circle class="balance-dot" cx="{x:.1f}" cy="{v:.1f}" r="3"/>' for x, v in line)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and dates, and the texts escaped above


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


# The filters' <option>s and the ledger's rows are many small cells: written here in one pass (the
# template engine's per-variable work was a third of the page's time); every text is escaped.


def _options(choices, selected):
    """The <option>s of a filter's <select>, the chosen one marked."""
    options = (
        f'<option value="{html_escape(str(v))}"{" selected" if v == selected else ""}>{html_escape(str(n))}</option>'
        for v, n in choices
    )
    return mark_safe("".join(options))  # noqa: S308 - values and names escaped


def _ledger_rows(entries):
    """The ledger table's rows (<tr>s): date, item with its kind, and the signed points."""
    kinds = {value: str(label) for value, label in EntryKind.choices}
    yuan = pgettext("my points", "yuan")
    rows = []
    for e in entries:
        if e["rule_name"]:
            item = e["rule_name"]
            if e["quantity"] and e["quantity"] > 1:
                item += f" × {e['quantity']}"
            if e["amount"]:
                item += f" ({e['amount']} {yuan})"
        else:
            item = e["reward_name"] or ""
        kind = kinds.get(e["kind"], e["kind"])
        if e["description"] and not e["redemption_id"]:
            kind += f" · {e['description']}"
        points = e["points"]
        rows.append(
            f"<tr><td>{e['occurred_on']:%Y-%m-%d}</td>"
            f'<td>{html_escape(item)}<div class="muted sp-kind">{html_escape(kind)}</div></td>'
            f'<td class="num {"sp-neg" if points < 0 else "sp-pos"}">{"+" if points > 0 else ""}{points}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 - texts escaped, the rest numbers and dates


def _remember_header_facts(user, specialist):
    """The base template's header shows the user's display name and links by role: hand request.user
    the profile and role names read with the specialist, so the header needs no queries of its own."""
    remember_role_names(user, specialist.role_names)
    if specialist.profile_id is not None:
        user.profile = Profile(
            id=specialist.profile_id,
            user_id=user.pk,
            name=specialist.profile_name,
            organisation_id=specialist.profile_organisation_id,
        )


@login_required
@require_GET
def my_points(request):
    specialist = selectors.specialist_for_user(request.user, people=True)
    if specialist is None:
        return render(request, "specialists/not_a_specialist.html", status=404)
    _remember_header_facts(request.user, specialist)
    today = timezone.localdate()
    filters = LedgerFilterForm(request.GET or None)
    ledger_filters = filters.filters()
    totals = selectors.monthly_totals(specialist, as_of=today)
    # The whole ledger's size is the sum of the months' counts: no COUNT(*) unless filtered.
    total = None if ledger_filters else sum(row["entries"] for row in totals)
    entries = selectors.LedgerRows(specialist, total=total, **ledger_filters)
    ledger = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _ledger_rows(ledger.object_list)
    selected = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    query = request.GET.copy()
    query.pop("page", None)
    is_general = specialist.status == SpecialistStatus.GENERAL
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
        "selected": selected,
        "filter_errors": filters.non_field_errors() if filters.is_bound else [],
        "rule_options": _options(selectors.rule_choices(), getattr(selected.get("rule"), "code", None)),
        "kind_options": _options(EntryKind.choices, selected.get("kind")),
        "ledger": ledger,
        "ledger_rows": rows,
        "query": query.urlencode(),
        "may_spend": specialist.status in REDEEMING_STATES,
        "is_general": is_general,
        "rewards": _reward_items(selectors.reward_catalogue(balance=specialist.balance)),
        "redeem_url": reverse("specialists:redeem"),
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
