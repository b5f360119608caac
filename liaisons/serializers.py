"""Request and response shapes of the liaisons API (SPEC, API contract "Liaisons").

Input serializers check types and lengths only, so the schema documents them; the rules (a valid
mobile number, a date in range, one liaison per unit …) are the services', which answer 400 or 403
naming the field.  Field names are fixed by the contract: outside clients depend on them.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.models import OrganisationNature

from . import services
from .enums import Association, Gender, MembershipLevel
from .models import Article, Feedback, FeePayment, Liaison, Membership, Notice, NoticeDelivery, UnitChangeRequest

# 填表说明 5: résumé periods to the year and month.
YEAR_MONTH = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
MAX_ID = 2**31 - 1  # a database integer key
MAX_RESUME_ENTRIES = 50


def _text(max_length, **kwargs):
    """An optional text field of the registration form ("" when left out of an update)."""
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, **kwargs)


# ---- member units ------------------------------------------------------------------------------


class MemberUnitCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="The unit's full name as registered.")
    nature = serializers.ChoiceField(choices=OrganisationNature.choices)
    address = _text(300)
    postcode = _text(6)
    association = serializers.ChoiceField(
        choices=Association.choices,
        required=False,
        default=Association.ASSOCIATION,
        help_text="Which body the unit is a member of; the association (协会) unless given.",
    )
    level = serializers.ChoiceField(choices=MembershipLevel.choices, required=False, default=MembershipLevel.MEMBER)


class UnitMembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["association", "level", "joined_on", "is_active"]


class LiaisonResumeEntrySerializer(serializers.Serializer):
    """One post of the résumé, "YYYY-MM" to "YYYY-MM" (no end: to date)."""

    start = serializers.RegexField(YEAR_MONTH, max_length=7)
    end = serializers.RegexField(YEAR_MONTH, max_length=7, required=False, allow_null=True, allow_blank=True)
    description = serializers.CharField(max_length=200, help_text="The unit and the post.")


class LiaisonResumeEntryOutSerializer(serializers.Serializer):
    start = serializers.DateField(format="%Y-%m")
    end = serializers.DateField(format="%Y-%m", allow_null=True)
    description = serializers.CharField()


class LiaisonRegisterSerializer(serializers.Serializer):
    """The seed's 会员单位联络员登记 form; `username` links an account, `on`/`notes` record the handover."""

    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    ethnicity = _text(20)
    birth_date = serializers.DateField(required=False, allow_null=True)
    political_status = _text(30)
    education = _text(30)
    title = _text(50)
    position = _text(100)
    email = serializers.EmailField(max_length=254)
    office_phone = _text(30)
    mobile = serializers.CharField(max_length=11, help_text="An 11-digit mainland mobile number.")
    wechat = _text(50)
    postcode = _text(6)
    recommendation = _text(4000)
    recommended_on = serializers.DateField(required=False, allow_null=True)
    filing = _text(4000)
    filed_on = serializers.DateField(required=False, allow_null=True)
    resume = serializers.ListField(child=LiaisonResumeEntrySerializer(), required=False, max_length=MAX_RESUME_ENTRIES)
    username = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="An existing account that then acts for the unit with the liaison role.",
    )
    on = serializers.DateField(required=False, allow_null=True, help_text="The handover date; today if left out.")
    notes = _text(4000, help_text="Handover notes.")


class LiaisonSelfUpdateSerializer(serializers.Serializer):
    """What a liaison may change on their own record (services.SELF_SERVICE_FIELDS), and the résumé.

    Any other field of the registration form is the office's: sending it answers 403 naming it.
    """

    ethnicity = _text(20)
    political_status = _text(30)
    education = _text(30)
    title = _text(50)
    position = _text(100)
    email = serializers.EmailField(max_length=254, required=False)
    office_phone = _text(30)
    mobile = serializers.CharField(max_length=11, required=False)
    wechat = _text(50)
    postcode = _text(6)
    resume = serializers.ListField(child=LiaisonResumeEntrySerializer(), required=False, max_length=MAX_RESUME_ENTRIES)


class LiaisonSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="organisation_id", read_only=True)
    username = serializers.SerializerMethodField()
    resume = LiaisonResumeEntryOutSerializer(many=True, read_only=True)

    class Meta:
        model = Liaison
        # The registration form's fields as the services name them (the seed's 会员单位联络员登记).
        fields = ["id", "unit", *services.LIAISON_FIELDS, "resume", "username", "is_active", "started_on", "ended_on"]

    def get_username(self, liaison) -> str | None:
        return liaison.user.username if liaison.user_id else None


class LiaisonHandoverSerializer(serializers.Serializer):
    on = serializers.DateField()
    to = serializers.IntegerField(help_text="The incoming liaison's id.")
    to_name = serializers.CharField()
    notes = serializers.CharField(allow_blank=True)


class PastLiaisonSerializer(serializers.Serializer):
    """An earlier liaison of the unit, and the handover that ended their post (null: withdrawn)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.CharField(allow_blank=True)
    email = serializers.CharField()
    mobile = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    handover = LiaisonHandoverSerializer(allow_null=True)


class MemberUnitSerializer(serializers.Serializer):
    """A unit as selectors.unit_with_liaisons loads it: memberships, current liaison, history."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    nature = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(allow_blank=True)
    memberships = UnitMembershipSerializer(many=True, source="memberships.all")
    liaison = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    @extend_schema_field(LiaisonSerializer(allow_null=True))
    def get_liaison(self, unit):
        current = next((x for x in unit.liaisons.all() if x.is_active), None)
        return LiaisonSerializer(current).data if current else None

    @extend_schema_field(PastLiaisonSerializer(many=True))
    def get_history(self, unit):
        """Earlier liaisons, newest first, each with the handover that ended the post."""
        handovers = {h.from_liaison_id: h for h in unit.liaison_handovers.all() if h.from_liaison_id}
        rows = []
        for past in (x for x in unit.liaisons.all() if not x.is_active):
            handover = handovers.get(past.pk)
            rows.append(
                {
                    "id": past.pk,
                    "name": past.name,
                    "position": past.position,
                    "email": past.email,
                    "mobile": past.mobile,
                    "started_on": past.started_on,
                    "ended_on": past.ended_on,
                    "handover": None
                    if handover is None
                    else {
                        "on": handover.on,
                        "to": handover.to_liaison_id,
                        "to_name": handover.to_liaison.name,
                        "notes": handover.notes,
                    },
                }
            )
        return PastLiaisonSerializer(rows, many=True).data


class MembershipFeeSerializer(serializers.ModelSerializer):
    association = serializers.CharField(source="membership.association", read_only=True)
    amount = serializers.FloatField(allow_null=True, read_only=True)
    paid_on_time = serializers.BooleanField(read_only=True)
    handled_by = serializers.CharField(source="handled_by.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = FeePayment
        fields = [
            "id",
            "association",
            "year",
            "amount",
            "due_on",
            "paid_on",
            "paid_on_time",
            "handled_by",
            "handled_at",
        ]


class LiaisonOwnUnitSerializer(MemberUnitSerializer):
    """The liaison's own unit, with the annual fees they confirm handling of (第七条 五)."""

    fees = serializers.SerializerMethodField()

    @extend_schema_field(MembershipFeeSerializer(many=True))
    def get_fees(self, unit):
        return MembershipFeeSerializer(self.context["fees"], many=True).data


# ---- a liaison's own duties ------------------------------------------------------------------


class UnitChangeRequestCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    nature = serializers.ChoiceField(choices=OrganisationNature.choices, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=2000)


class UnitChangeRequestSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="organisation_id", read_only=True)

    class Meta:
        model = UnitChangeRequest
        fields = ["id", "unit", "name", "nature", "reason", "status", "created_at"]


class LiaisonArticleCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=200, required=False, allow_blank=True)


class LiaisonArticleSerializer(serializers.ModelSerializer):
    liaison = serializers.IntegerField(source="liaison_id", read_only=True)
    liaison_name = serializers.CharField(source="liaison.name", read_only=True)

    class Meta:
        model = Article
        fields = ["id", "title", "url", "submitted_on", "status", "decided_at", "liaison", "liaison_name"]


class LiaisonArticleDecisionSerializer(serializers.Serializer):
    adopted = serializers.BooleanField()


class LiaisonFeedbackCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=5000)


class LiaisonFeedbackSerializer(serializers.ModelSerializer):
    liaison = serializers.IntegerField(source="liaison_id", read_only=True)
    liaison_name = serializers.CharField(source="liaison.name", read_only=True)

    class Meta:
        model = Feedback
        fields = ["id", "subject", "body", "raised_on", "answer", "answered_at", "liaison", "liaison_name"]


class LiaisonFeedbackAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=5000)


# ---- notices and the assessment --------------------------------------------------------------


class LiaisonNoticeCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    liaisons = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        allow_empty=False,
        max_length=10000,
        help_text="The liaisons to address (ids); every current liaison if left out.",
    )


class LiaisonNoticeCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recipients = serializers.IntegerField(help_text="How many liaisons the notice is addressed to.")


class LiaisonNoticeDeliverySerializer(serializers.ModelSerializer):
    liaison = serializers.IntegerField(source="liaison_id", read_only=True)
    name = serializers.CharField(source="liaison.name", read_only=True)
    unit = serializers.CharField(source="liaison.organisation.name", read_only=True)

    class Meta:
        model = NoticeDelivery
        fields = ["liaison", "name", "unit", "email", "status", "sent_at", "error"]


class LiaisonNoticeSerializer(serializers.ModelSerializer):
    sent_by = serializers.CharField(source="sent_by.username", read_only=True)
    deliveries = LiaisonNoticeDeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "subject", "body", "sent_by", "created_at", "deliveries"]


class LiaisonAssessmentRowSerializer(serializers.Serializer):
    """One liaison's line of the year's ranking (selectors.AssessmentRow)."""

    unit = serializers.CharField()
    unit_id = serializers.IntegerField()
    liaison = serializers.CharField()
    liaison_id = serializers.IntegerField()
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    meetings = serializers.IntegerField()
    trainings = serializers.IntegerField()
    articles = serializers.IntegerField()
    adopted = serializers.IntegerField()
    fee_paid_on_time = serializers.BooleanField()
    fee_handled = serializers.BooleanField()
    feedback = serializers.IntegerField()
    inactive = serializers.BooleanField(help_text="Did nothing in the year (第十三条: a replacement is suggested).")
    band = serializers.CharField(allow_blank=True)
    stipend = serializers.FloatField()
    excellent = serializers.BooleanField()
