from rest_framework import serializers

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
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
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


class RedemptionRequestSerializer(serializers.Serializer):
    reward = serializers.SlugField(max_length=40)
    quantity = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1000)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True, min_value=0)
    cash_points = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    idempotency_key = serializers.CharField(max_length=100)


class RedemptionSerializer(serializers.ModelSerializer):
    reward = serializers.CharField(source="reward.code", read_only=True)
    balance = serializers.IntegerField(source="balance_after", read_only=True)

    class Meta:
        model = Redemption
        fields = ["id", "points", "balance", "reward", "quantity", "price", "cash_yuan", "status", "created_at"]


class TransferRequestSerializer(serializers.Serializer):
    to = serializers.IntegerField()
    points = serializers.IntegerField(min_value=1)
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


class MyPointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    status = serializers.CharField()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    entries = LedgerEntrySerializer(many=True)
