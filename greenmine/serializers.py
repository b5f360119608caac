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
    record = serializers.CharField(allow_blank=True, required=False, default="")


class ScoreItemSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    inputs = serializers.JSONField(required=False)
    not_applicable = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    record = serializers.CharField(allow_blank=True, required=False, default="")


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
    numbers = serializers.ListField(child=serializers.IntegerField(), required=False, write_only=True)
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = SiteVisit
        fields = ["id", "visited_on", "visitors", "location", "observations", "numbers", "indicators"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_indicators(self, obj):
        return sorted(i.number for i in obj.indicators.all())
