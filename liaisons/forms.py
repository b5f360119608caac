"""Forms of the liaison's own page. They parse input; the services hold the rules (services.check_*),
and a refused write comes back as an error on the field the service names."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.exceptions import BusinessRuleError
from alliance.models import OrganisationNature

from . import services


class ServiceForm(forms.Form):
    """A form whose write is one service call; `refuse(exc)` puts a BusinessRuleError on its field."""

    def refuse(self, exc: BusinessRuleError):
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


def _text(label, max_length, *, required=False, **kwargs):
    return forms.CharField(label=label, max_length=max_length, required=required, **kwargs)


class ContactForm(ServiceForm):
    """A liaison's own contact details (services.SELF_SERVICE_FIELDS); the rest is the office's (第六条)."""

    ethnicity = _text(_("Ethnic group"), 20)
    political_status = _text(_("Political affiliation"), 30)
    education = _text(_("Education level"), 30)
    title = _text(_("Professional title (职称)"), 50)
    position = _text(_("Post held"), 100)
    email = _text(_("Email address"), 254, required=True, widget=forms.EmailInput)
    office_phone = _text(_("Office telephone"), 30)
    mobile = _text(_("Mobile number"), 11, required=True, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    wechat = _text(_("WeChat account"), 50)
    postcode = _text(_("Postcode (correspondence)"), 6, widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    @classmethod
    def for_liaison(cls, liaison, data=None):
        return cls(data, initial={f: getattr(liaison, f) for f in services.SELF_SERVICE_FIELDS}, prefix="contact")


class UnitForm(ServiceForm):
    address = _text(_("Postal address of the unit"), 300)
    postcode = _text(_("Postcode of the unit"), 6, widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    @classmethod
    def for_unit(cls, unit, data=None):
        return cls(data, initial={"address": unit.address, "postcode": unit.postcode}, prefix="unit")


class ChangeRequestForm(ServiceForm):
    name = _text(
        _("New registered full name"),
        200,
        help_text=_("As registered with the market regulator; leave empty if only the nature changes."),
    )
    nature = forms.ChoiceField(
        label=_("New nature of the unit"),
        choices=[("", pgettext_lazy("unit nature", "Unchanged")), *OrganisationNature.choices],
        required=False,
    )
    reason = _text(_("Reason for the change"), 2000, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def blank(cls, data=None):
        return cls(data, prefix="change")


class ArticleForm(ServiceForm):
    title = forms.CharField(
        label=_("Article title"),
        max_length=200,
        error_messages={"required": _("Give the article's title.")},
    )
    url = _text(
        _("Link to the article"),
        500,
        help_text=_("Optional: a web address starting with http:// or https://."),
        widget=forms.URLInput,
    )

    @classmethod
    def blank(cls, data=None):
        return cls(data, prefix="article")


class FeedbackForm(ServiceForm):
    subject = forms.CharField(
        label=_("Subject of the feedback"), max_length=200, error_messages={"required": _("Give a subject.")}
    )
    body = forms.CharField(
        label=_("The unit's opinion or problem"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what the unit wants to raise.")},
    )

    @classmethod
    def blank(cls, data=None):
        return cls(data, prefix="feedback")


class YearForm(forms.Form):
    """The assessment page's year picker."""

    year = forms.IntegerField(label=_("Assessment year"), min_value=2000, max_value=2100)
