from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .enums import MiningMethod, Variant
from .models import Assessment, Evidence, SiteVisit


class AssessmentCreateSerializer(serializers.Serializer):
    mine_name = serializers.CharField(max_length=200)
    variant = serializers.ChoiceField(choices=Variant.choices)
    mining_method = serializers.ChoiceField(choices=MiningMethod.choices)
    pass_line = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    province = serializers.CharField(max_length=40, required=False, allow_blank=True)


class AssessmentSerializer(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.code", read_only=True)
    pass_line = serializers.FloatField()
    experts = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "mine_name",
            "catalogue",
            "province",
            "variant",
            "mining_method",
            "pass_line",
            "status",
            "created_at",
            "experts",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_experts(self, obj):
        return [
            {"username": a.expert.username, "status": a.status}
            for a in obj.assignments.select_related("expert").order_by("id")
        ]


class UsernameSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class PrerequisiteItemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    passed = serializers.BooleanField()
    record = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class PrerequisiteStateSerializer(serializers.Serializer):
    """A veto item of the assessment and what was recorded for it (passed null: not checked yet)."""

    code = serializers.CharField()
    name = serializers.CharField()
    requirement = serializers.CharField()
    national = serializers.BooleanField(required=False, help_text="Absent for a province's own item.")
    passed = serializers.BooleanField(allow_null=True)
    record = serializers.CharField(allow_blank=True)


class PrerequisitesResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    prerequisites = PrerequisiteStateSerializer(many=True)


class ScoreItemSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=49)
    score = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, min_value=0, max_value=100
    )
    inputs = serializers.JSONField(required=False)
    not_applicable = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    record = serializers.CharField(allow_blank=True, required=False, default="")


class ScoreSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    not_applicable = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    record = serializers.CharField(allow_blank=True)
    inputs = serializers.DictField()


class ScoresResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    scores = ScoreSerializer(many=True)


class AssignmentResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    username = serializers.CharField()
    status = serializers.CharField()


class SubmitResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class EvidenceUploadSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=49)
    file = serializers.FileField()


class EvidenceSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="indicator.number", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "number", "original_name", "size", "content_type", "uploaded_at", "url"]

    @extend_schema_field(serializers.CharField())
    def get_url(self, obj):
        from django.urls import reverse

        return reverse("greenmine-api:evidence-download", args=[obj.pk])


class SiteVisitSerializer(serializers.ModelSerializer):
    numbers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=49), required=False, write_only=True, max_length=49
    )
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = SiteVisit
        fields = ["id", "visited_on", "visitors", "location", "observations", "numbers", "indicators"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_indicators(self, obj):
        return sorted(i.number for i in obj.indicators.all())
