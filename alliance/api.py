"""Shared API pieces: the error format, token auth and user onboarding."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import services
from .exceptions import BusinessRuleError, NotPermitted
from .permissions import IsSecretariat
from .serializers import UserCreateSerializer, UserSerializer


def exception_handler(exc, context):
    """Domain errors become 400 (or 403) with a body naming the field and the reason."""
    if isinstance(exc, NotPermitted):
        return Response(exc.as_dict(), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, BusinessRuleError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "Permission denied."}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


class TokenView(ObtainAuthToken):
    """POST {"username","password"} → {"token"}."""


class UserCreateView(APIView):
    permission_classes = [IsSecretariat]

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data, created_by=request.user)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)
