"""Shared API pieces: the error format, the schema's error responses, token auth and user onboarding."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular import openapi
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import lockouts, services
from .dispatch import BrokerUnavailable
from .exceptions import BusinessRuleError, NotPermitted
from .parsers import too_deep
from .permissions import IsSecretariat
from .serializers import ErrorSerializer, UserCreateSerializer, UserSerializer


def exception_handler(exc, context):
    """Domain errors become 400 (or 403, or 503 when the task queue is down) with a body naming the
    field and the reason."""
    if isinstance(exc, NotPermitted):
        return Response(exc.as_dict(), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, BrokerUnavailable):  # the job was kept as "not queued": retry in a minute
        return Response(exc.as_dict(), status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "60"})
    if isinstance(exc, BusinessRuleError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "Permission denied."}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, RecursionError):
        # A view with its own parser list (the token view uses DRF's) still answers 400.
        exc = too_deep()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _error_body(response.data)
    return response


def _error_body(data):
    """Every error body is an object (ErrorSerializer) whose `detail` is one string."""
    if isinstance(data, list):
        return {"detail": " ".join(str(m) for m in data)}
    if isinstance(data, dict) and isinstance(data.get("detail"), list):
        return {**data, "detail": " ".join(str(m) for m in data["detail"])}
    return data


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, documenting the error answers every operation can give (ErrorSerializer):
    400 for input (a body or query parameters), 403 for who is asking (session authentication comes
    first, so DRF answers 403, not 401, to a missing or bad credential), 404 for an object in the path,
    415 for a body in a format the operation does not read."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        writes = self.method in ("POST", "PUT", "PATCH")
        errors = []
        if writes or any(p.get("in") == "query" for p in self._get_parameters()):
            errors.append("400")
        if not public:
            errors.append("403")
        if "{" in self.path:
            errors.append("404")
        if writes:
            errors.append("415")
        for code in errors:
            responses.setdefault(code, self._get_response_for_code(ErrorSerializer, code, direction=direction))
        return responses


class TokenView(ObtainAuthToken):
    """POST {"username","password"} → {"token"}.

    After repeated wrong passwords django-axes refuses the user from that address even with the
    right password: 429 with the wait (alliance.lockouts).  Axes flags the DRF request it was
    given, which the Django middleware does not see, so the flag is read here.
    """

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                return lockouts.api_lockout_response()
            raise


class UserCreateView(APIView):
    permission_classes = [IsSecretariat]

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data, created_by=request.user)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)
