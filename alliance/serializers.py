from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from rest_framework import serializers

from .roles import Role, role_names
from .validation import USERNAME_HELP, USERNAME_RE


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer: `detail` for the request as a whole, or the fields at fault, each with a list
    of reasons ({"mine_name": ["Name the mine."]}); a list input adds `items`, lined up with the list
    sent ({"items": [{}, {"number": ["There is no indicator 50."]}]})."""

    detail = serializers.CharField(required=False, help_text="The reason, when no single field is at fault.")
    items = serializers.ListField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        required=False,
        help_text="Per item of a list input: the item's fields at fault (empty for a good item).",
    )


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150, validators=[RegexValidator(USERNAME_RE, message=USERNAME_HELP)], help_text=USERNAME_HELP
    )
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), required=False, default=list)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name", "email", "roles", "organisation"]

    def get_roles(self, user) -> list[str]:
        return sorted(role_names(user))

    def get_name(self, user) -> str:
        profile = getattr(user, "profile", None)
        return profile.name if profile else ""

    def get_organisation(self, user) -> str | None:
        profile = getattr(user, "profile", None)
        return profile.organisation.name if profile and profile.organisation else None
