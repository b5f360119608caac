"""Forms of the specialist's self-service page. They parse input; the services hold the rules."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.validation import MAX_POINTS

from .enums import DocumentKind, EntryKind
from .models import PointRule


class KeyedForm(forms.Form):
    """A write form carrying a client idempotency key, generated when the form is shown.

    Submitting the same rendered form twice (a double click, a reload) records once.
    """

    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class LedgerFilterForm(forms.Form):
    """The self-service page's ledger filters (the labels are the page's: "From" is a date here)."""

    date_from = forms.DateField(
        label=pgettext_lazy("my points", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=pgettext_lazy("my points", "To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    rule = forms.ModelChoiceField(
        label=pgettext_lazy("my points", "Activity"),
        queryset=PointRule.objects.order_by("order", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("All activities"),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("my points", "Kind"), choices=[("", _("All kinds")), *EntryKind.choices], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self):
        """The selectors.ledger_of() filters of a valid form; no filter when invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {k: data[k] for k in ("date_from", "date_to", "rule", "kind") if data.get(k)}


class RedeemForm(KeyedForm):
    reward = forms.CharField(max_length=40, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100, required=False, initial=1)
    price = forms.DecimalField(
        label=_("Book price (yuan)"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    cash_points = forms.IntegerField(label=_("Points to cash"), min_value=1, max_value=MAX_POINTS, required=False)


class TransferForm(KeyedForm):
    to = forms.CharField(
        label=_("Recipient's account name"),
        max_length=150,
        help_text=_("The user name the other specialist logs in with."),
    )
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=MAX_POINTS)


class DocumentRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=10, initial=1)
    address = forms.CharField(
        label=_("Postal address"),
        max_length=300,
        error_messages={"required": _("Give the postal address the paper copies are to be sent to.")},
    )


class LiaisonChangeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why would you like another liaison?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
