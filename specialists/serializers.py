from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alliance.exceptions import BusinessRuleError
from alliance.validation import MAX_AMOUNT_YUAN, MAX_POINTS, MAX_PRICE_YUAN, MAX_QUANTITY, check_date

from .enums import EntryKind
from .models import LedgerEntry, PointRule, Redemption, Reward, Specialist, Transfer


class PointRuleSerializer(serializers.ModelSerializer):
    per_amount = serializers.SerializerMethodField()

    class Meta:
        model = PointRule
        fields = ["code", "name", "points", "per_amount", "kind", "levels", "unit"]

    def get_per_amount(self, rule) -> int | None:
        return rule.per_amount if rule.kind == "per_amount" else None


class RewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = ["code", "name", "cost", "kind", "note"]


class SpecialistCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    applied_on = serializers.DateField()
    username = serializers.CharField(max_length=150, required=False, allow_blank=True, allow_null=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)


class SpecialistSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    committee = serializers.CharField(source="committee.code", read_only=True, allow_null=True, default=None)
    liaison = serializers.CharField(source="liaison.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Specialist
        fields = [
            "id",
            "name",
            "email",
            "username",
            "status",
            "balance",
            "status_since",
            "applied_on",
            "approved_on",
            "probation_ends",
            "exited_on",
            "committee",
            "liaison",
        ]


class OnSerializer(serializers.Serializer):
    on = serializers.DateField()


class ExitSerializer(serializers.Serializer):
    on = serializers.DateField()
    decision = serializers.CharField(max_length=300)


class ActivitySerializer(serializers.Serializer):
    rule = serializers.SlugField(max_length=40)
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_QUANTITY)
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT_YUAN,
    )
    level = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    occurred_on = serializers.DateField()
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)


class LedgerEntrySerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule.code", read_only=True, allow_null=True, default=None)
    rule_name = serializers.CharField(source="rule.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "points",
            "rule",
            "rule_name",
            "quantity",
            "amount",
            "level",
            "occurred_on",
            "description",
            "reverses",
            "redemption",
            "transfer",
        ]


class LifecycleRunSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    dry_run = serializers.BooleanField(required=False, default=False)

    def validate_as_of(self, value):
        # The run lives in specialists.lifecycle; its date is bounded like every date a person enters.
        try:
            return check_date(value, field="as_of", planned=True)
        except BusinessRuleError as exc:
            raise serializers.ValidationError(exc.message) from None


class RedemptionRequestSerializer(serializers.Serializer):
    reward = serializers.SlugField(max_length=40)
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, min_value=0, max_value=MAX_PRICE_YUAN
    )
    cash_points = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_POINTS)
    idempotency_key = serializers.CharField(max_length=100)


class RedemptionSerializer(serializers.ModelSerializer):
    reward = serializers.CharField(source="reward.code", read_only=True)
    balance = serializers.IntegerField(source="balance_after", read_only=True)

    class Meta:
        model = Redemption
        fields = ["id", "points", "balance", "reward", "quantity", "price", "cash_yuan", "status", "created_at"]


class TransferRequestSerializer(serializers.Serializer):
    to = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    points = serializers.IntegerField(min_value=1, max_value=MAX_POINTS)
    idempotency_key = serializers.CharField(max_length=100)


class TransferSerializer(serializers.ModelSerializer):
    to = serializers.IntegerField(source="recipient_id", read_only=True)
    balance = serializers.IntegerField(source="balance_after", read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "balance", "to", "points", "created_at"]


class IcebreakerResultSerializer(serializers.Serializer):
    specialist = serializers.IntegerField()
    on = serializers.DateField()
    activity = serializers.IntegerField()


class LifecycleChangeSerializer(serializers.Serializer):
    specialist = serializers.IntegerField()
    name = serializers.CharField()
    to = serializers.CharField()
    rule = serializers.CharField()
    reason = serializers.CharField(help_text="Why the rule applies, as a sentence.")
    evidence = serializers.DictField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField()  # a keyword in Python, a field name in the contract
        return fields


class LifecycleResultSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    dry_run = serializers.BooleanField()
    run = serializers.IntegerField(allow_null=True)
    changes = LifecycleChangeSerializer(many=True)


class MyPointsQuerySerializer(serializers.Serializer):
    """The filters of GET /api/me/points/ (the page's ledger filters) and the page number."""

    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)
    rule = serializers.SlugRelatedField(slug_field="code", queryset=PointRule.objects.all(), required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    page = serializers.IntegerField(min_value=1, required=False, default=1)

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": _("The start date is after the end date.")})
        return data


class MyPointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    status = serializers.CharField()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    entries = LedgerEntrySerializer(many=True)
