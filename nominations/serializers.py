"""Request and response shapes of the nominations API (SPEC, API contract "Nominations"; seed 004).

Input serializers check types only, so the schema documents them; the rules (the form's length
limits with the count, the TRL, the cap per field and unit, the deadlines, the shortlist's size) are
the services', which answer 400 or 403 naming the field.  Field names are fixed by the contract.
Component names start with Nomination…/Campaign… so they do not clash with the other apps'.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from rest_framework import serializers

from .enums import CRITERIA, SCORE_MAX, Field, NominationStatus, ProjectType
from .models import TRL_MAX, TRL_MIN, Campaign, Evaluation, ExpertAssignment, Nomination
from .services.checks import SHORT_FIELDS

MAX_ID = 2**31 - 1  # a database integer key
MAX_INDUSTRIES = 100
MAX_SHORTLIST_IDS = 500
# A plain string in the schema: an enum named "status" would clash with the other apps' (drf-spectacular).
STATUS_HELP = "One of: " + ", ".join(NominationStatus.values) + "."


def _text(**kwargs):
    """An optional box of the form; its limit (with the count in the message) is the service's."""
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, **kwargs)


def _with_message(field, message):
    """An integer field that refuses with the service's message (in the request's language), not DRF's:
    its bounds stay in the schema (min_value, max_value)."""
    for key in ("invalid", "max_string_length"):
        field.error_messages[key] = message
    field.validators = [
        validator for validator in field.validators if not isinstance(validator, MinValueValidator | MaxValueValidator)
    ] + [MinValueValidator(field.min_value, message=message), MaxValueValidator(field.max_value, message=message)]


def _short(name, **kwargs):
    return serializers.CharField(max_length=SHORT_FIELDS[name], **kwargs)


# ---- campaigns ---------------------------------------------------------------------------------


class CampaignCreateSerializer(serializers.Serializer):
    """A year's campaign; deadlines and caps left out come from the seed's timetable (二、工作安排)."""

    year = serializers.IntegerField(min_value=0, max_value=32767)
    recommendation_deadline = serializers.DateField(help_text="The last day units may create and submit.")
    preliminary_deadline = serializers.DateField(required=False, help_text="The seed's 30 November unless given.")
    final_review_deadline = serializers.DateField(required=False, help_text="The seed's 20 December unless given.")
    publication_date = serializers.DateField(required=False, help_text="The seed's 31 December unless given.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    cap_per_field = serializers.IntegerField(required=False, min_value=1, max_value=50)
    preselection_cap = serializers.IntegerField(required=False, min_value=1, max_value=50)
    shortlist_min = serializers.IntegerField(required=False, min_value=1, max_value=500)
    shortlist_max = serializers.IntegerField(required=False, min_value=1, max_value=500)
    list_size = serializers.IntegerField(required=False, min_value=1, max_value=1000)


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "year",
            "title",
            "recommendation_deadline",
            "preliminary_deadline",
            "final_review_deadline",
            "publication_date",
            "cap_per_field",
            "preselection_cap",
            "shortlist_min",
            "shortlist_max",
            "list_size",
        ]


# ---- nominations -------------------------------------------------------------------------------


class NominationWriteSerializer(serializers.Serializer):
    """The 推荐表 (附件 2).  On create name, field, project_type and trl are required; PATCH sends any."""

    name = _short("name")
    field = serializers.ChoiceField(choices=Field.choices)
    industries = serializers.ListField(
        child=serializers.CharField(max_length=4),
        required=False,
        max_length=MAX_INDUSTRIES,
        help_text="GB/T 4754-2017 codes of groups (3 digits) or classes (4 digits).",
    )
    project_type = serializers.ChoiceField(choices=ProjectType.choices)
    trl = serializers.IntegerField(min_value=TRL_MIN, max_value=TRL_MAX, help_text="Technology readiness level.")
    contact = _short("contact", required=False, allow_blank=True)
    phone = _short("phone", required=False, allow_blank=True)
    address = _short("address", required=False, allow_blank=True)
    email = _short("email", required=False, allow_blank=True)
    team_intro = _text(help_text="At most 300 characters.")
    ip = _text()
    awards = _text()
    tech_level = _text(help_text="At most 500 characters.")
    tech_level_detail = _text(help_text="The attachment, at most 10,000 characters.")
    benefits = _text(help_text="At most 500 characters.")
    benefits_detail = _text(help_text="The attachment, at most 5,000 characters.")
    pledge_accepted = serializers.BooleanField(
        required=False, help_text="The unit's pledge that the information is true, reliable and not secret."
    )
    recommender_opinion = _text()
    preselected_by = serializers.CharField(
        max_length=200,
        required=False,
        help_text="The full name of the society whose internal selection the nomination goes through.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service's own message, in the request's language.
        message = _("The technology readiness level is a whole number from %(low)s to %(high)s.") % {
            "low": TRL_MIN,
            "high": TRL_MAX,
        }
        _with_message(self.fields["trl"], message)


class NominationSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="campaign.year", read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True)
    recommender = serializers.CharField(source="recommender.name", read_only=True)
    preselected_by = serializers.CharField(source="preselected_by.name", read_only=True, allow_null=True)
    industries = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "campaign",
            "unit",
            "recommender",
            "preselected_by",
            "name",
            "field",
            "industries",
            "project_type",
            "trl",
            "contact",
            "phone",
            "address",
            "email",
            "team_intro",
            "ip",
            "awards",
            "tech_level",
            "tech_level_detail",
            "benefits",
            "benefits_detail",
            "pledge_accepted",
            "pledge_accepted_at",
            "recommender_opinion",
            "status",
            "submitted_at",
            "shortlist_rank",
            "list_position",
            "created_at",
            "updated_at",
        ]

    def get_industries(self, nomination) -> list[str]:
        return sorted(row.code for row in nomination.industries.all())


# ---- the preliminary evaluation ----------------------------------------------------------------


class NominationExpertAssignSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    field = serializers.ChoiceField(choices=Field.choices)


class NominationExpertSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="campaign.year", read_only=True)
    username = serializers.CharField(source="expert.username", read_only=True)

    class Meta:
        model = ExpertAssignment
        fields = ["id", "campaign", "field", "username", "assigned_at"]


class NominationScoresSerializer(serializers.Serializer):
    """附件 1 二: the six dimensions, each a whole number from 0 to 10."""

    feasibility = serializers.IntegerField(min_value=0, max_value=SCORE_MAX)
    advancement = serializers.IntegerField(min_value=0, max_value=SCORE_MAX)
    originality = serializers.IntegerField(min_value=0, max_value=SCORE_MAX)
    irreplaceability = serializers.IntegerField(min_value=0, max_value=SCORE_MAX)
    maturity = serializers.IntegerField(min_value=0, max_value=SCORE_MAX)
    market = serializers.IntegerField(min_value=0, max_value=SCORE_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CRITERIA:
            message = _("%(dimension)s is scored with a whole number from 0 to %(max)s.") % {
                "dimension": label,
                "max": SCORE_MAX,
            }
            _with_message(self.fields[code], message)


class NominationEvaluationSerializer(serializers.ModelSerializer):
    expert = serializers.CharField(source="expert.username", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "nomination",
            "expert",
            "feasibility",
            "advancement",
            "originality",
            "irreplaceability",
            "maturity",
            "market",
            "total",
            "created_at",
            "updated_at",
        ]


class NominationRankingQuerySerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=Field.choices)


class NominationRankingRowSerializer(serializers.Serializer):
    """One row of a field's ranking: the mean of the experts' sums (out of 60), best first."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    mean = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True)
    evaluations = serializers.IntegerField()
    shortlist_rank = serializers.IntegerField(allow_null=True)


class NominationShortlistSetSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=Field.choices)
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=MAX_SHORTLIST_IDS,
        allow_empty=True,
        help_text="The nominations of the field in order of rank.",
    )


class NominationShortlistEntrySerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = Nomination
        fields = ["id", "name", "unit", "field", "status", "shortlist_rank"]


class NominationPublishedEntrySerializer(serializers.ModelSerializer):
    """The published list (二（四）): names, fields and units, never scores."""

    unit = serializers.CharField(source="unit.name", read_only=True)
    position = serializers.IntegerField(source="list_position", read_only=True)

    class Meta:
        model = Nomination
        fields = ["position", "name", "field", "unit"]


# ---- the detailed materials as files (附件 2: 详细材料可另附) ----------------------------------------

# A plain string in the schema (an enum named "kind" would clash with the other apps'); the service
# refuses any other value, naming the choices.
KIND_HELP = (
    "tech_level (the technical level's detailed material, at most 10,000 characters) or benefits (at most 5,000)."
)


class NominationAttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=16, help_text=KIND_HELP)
    file = serializers.FileField(help_text="A .docx or a PDF with text; its characters are counted on the text.")


class NominationAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=KIND_HELP)
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField(help_text="Bytes.")
    characters = serializers.IntegerField(help_text="Counted as the form's boxes are: a Chinese character is one.")
