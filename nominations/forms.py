"""Forms of the nominations pages. They parse input; the services hold the rules (limits, codes, caps,
deadlines), and a refused write comes back as an error on the field the service names.

The limited text boxes carry no `maxlength`: a person may paste past the limit and see the counter
marked (static/js/nominations.js) and the service's message, which counts as a person does.
"""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from alliance.exceptions import BusinessRuleError

from . import reference, services
from .enums import CRITERIA, SCORE_MAX, Field, ProjectType
from .models import TRL_MAX, TRL_MIN
from .services.checks import OTHER_TEXT_MAX, SHORT_FIELDS


class ServiceForm(forms.Form):
    """A form whose write is one service call; `refuse(exc)` puts a BusinessRuleError on its field."""

    def refuse(self, exc: BusinessRuleError):
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


def _short(label, field, *, required=False, **kwargs):
    # The bound is the service's (SHORT_FIELDS); the browser stops typing past it.
    return forms.CharField(label=label, max_length=SHORT_FIELDS[field], required=required, **kwargs)


def _box(label, field, *, rows=4, help_text=""):
    """A text box with a live counter; the limit is the service's (TEXT_LIMITS), checked by the service."""
    limit = services.TEXT_LIMITS.get(field, (OTHER_TEXT_MAX, None))[0]
    box = forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "data-limit": limit, "data-counter": f"count-{field}"}),
    )
    box.char_limit = limit
    return box


class CodeListField(forms.Field):
    """The GB/T 4754-2017 codes ticked in the searchable list; the service checks them (check_industries)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        return [str(code).strip() for code in (value or []) if str(code).strip()]


class NominationForm(ServiceForm):
    """附件 2 推荐表, box by box."""

    name = _short(_("Technology name"), "name", required=True)
    field = forms.ChoiceField(label=_("Field (one of five)"), choices=Field.choices, widget=forms.RadioSelect)
    industries = CodeListField(
        label=_("Key industries served"),
        required=False,
        help_text=_("Groups (3 digits) and classes (4 digits) of GB/T 4754-2017; type to search."),
    )
    project_type = forms.ChoiceField(
        label=_("Project type"), choices=ProjectType.choices, widget=forms.RadioSelect, initial=ProjectType.APPLIED
    )
    trl = forms.TypedChoiceField(
        label=_("Technology readiness level"),
        coerce=int,
        choices=[(level, str(level)) for level in range(TRL_MIN, TRL_MAX + 1)],
        widget=forms.RadioSelect,
    )
    contact = _short(_("Contact person"), "contact")
    phone = _short(_("Telephone"), "phone", widget=forms.TextInput(attrs={"inputmode": "tel"}))
    address = _short(_("Mailing address"), "address")
    email = _short(_("Email"), "email", widget=forms.EmailInput)
    team_intro = _box(
        _("Team introduction"), "team_intro", help_text=_("The team's background, at most 300 characters.")
    )
    ip = _box(
        _("Intellectual property"),
        "ip",
        rows=3,
        help_text=_("The intellectual property already obtained: names and numbers."),
    )
    awards = _box(_("Awards"), "awards", rows=3, help_text=_("The awards already won: names and numbers."))
    tech_level = _box(
        _("Technical level"),
        "tech_level",
        rows=5,
        help_text=_(
            "An overview: feasibility, advancement, originality, irreplaceability and maturity, compared with "
            "work at home and abroad; at most 500 characters."
        ),
    )
    tech_level_detail = _box(
        _("Technical level: detailed material"),
        "tech_level_detail",
        rows=8,
        help_text=_("Optional, at most 10,000 characters."),
    )
    benefits = _box(
        _("Benefits"),
        "benefits",
        rows=5,
        help_text=_(
            "Market prospects, range of application, expected economic benefits, influence on the industry and "
            "social benefits; at most 500 characters."
        ),
    )
    benefits_detail = _box(
        _("Benefits: detailed material"),
        "benefits_detail",
        rows=8,
        help_text=_("Optional, at most 5,000 characters."),
    )
    pledge_accepted = forms.BooleanField(
        label=_(
            "Our unit pledges that the information above is true and reliable, contains no secrets of our unit "
            "or of others, and agrees to its recommendation to the “科创中国” leading-technology list."
        ),
        required=False,
    )
    recommender_opinion = _box(_("Opinion of the recommending unit"), "recommender_opinion", rows=3)

    @classmethod
    def for_nomination(cls, nomination=None, data=None):
        initial = {}
        if nomination is not None:
            initial = {name: getattr(nomination, name) for name in services.FORM_FIELDS}
            initial["industries"] = [row.code for row in nomination.industries.all()]
            initial["pledge_accepted"] = nomination.pledge_accepted
        return cls(data, initial=initial)

    @classmethod
    def bound_to(cls, nomination):
        """The form filled with the nomination as saved, checked, so a refusal can be put on a box."""
        data = QueryDict(mutable=True)
        for name in services.FORM_FIELDS:
            data[name] = "" if getattr(nomination, name) is None else str(getattr(nomination, name))
        data.setlist("industries", [row.code for row in nomination.industries.all()])
        if nomination.pledge_accepted:
            data["pledge_accepted"] = "on"
        form = cls(data)
        form.is_valid()
        return form

    def service_values(self):
        """The keyword arguments of nomination_create / nomination_update."""
        data = dict(self.cleaned_data)
        return {
            "industries": data.pop("industries"),
            "pledge_accepted": data.pop("pledge_accepted"),
            **{name: data[name] for name in services.FORM_FIELDS},
        }

    def chosen_codes(self):
        """The codes ticked: what was posted, else the nomination's."""
        if self.is_bound:
            return self.data.getlist("industries") if hasattr(self.data, "getlist") else []
        return list(self.initial.get("industries") or [])

    def chosen_project_type(self):
        value = self["project_type"].value()
        return value if value in ProjectType.values else ProjectType.APPLIED


def trl_choices():
    """[(level, applied description, development description)] from data/trl.yaml."""
    return [(level, row["applied"], row["development"]) for level, row in sorted(reference.trl_levels().items())]


class EvaluationForm(ServiceForm):
    """附件 1 二: the six dimensions, each 0–10; services.evaluation_save checks and saves them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CRITERIA:
            self.fields[code] = forms.IntegerField(
                label=label,
                required=False,
                widget=forms.NumberInput(attrs={"min": 0, "max": SCORE_MAX, "step": 1, "inputmode": "numeric"}),
            )

    @classmethod
    def for_evaluation(cls, evaluation=None, data=None):
        initial = {code: getattr(evaluation, code) for code, _label in CRITERIA} if evaluation else {}
        return cls(data, initial=initial)

    def scores(self):
        return {code: self.cleaned_data.get(code) for code, _label in CRITERIA}
