"""The liaison programme's files over the API (SPEC, API contract "Liaisons"): the import template,
the import, and the roster.  Thin: the checks and the writes are liaisons.imports' and the services'."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance import uploads
from alliance.exceptions import BusinessRuleError
from alliance.permissions import IsSecretariat
from alliance.xlsx import XLSX_CONTENT_TYPE, xlsx_response

from . import exports, imports

_ImportResult = inline_serializer(
    "LiaisonImportResult", {"units": serializers.IntegerField(), "liaisons": serializers.IntegerField()}
)
_ImportErrors = inline_serializer(
    "LiaisonImportErrors",
    {
        "errors": inline_serializer(
            "LiaisonImportError",
            {"row": serializers.IntegerField(), "field": serializers.CharField(), "message": serializers.CharField()},
            many=True,
        )
    },
)
_Upload = inline_serializer("LiaisonImportUpload", {"file": serializers.FileField()})


class TemplateView(APIView):
    """GET the registration form (会员单位联络员登记) as an .xlsx import template (staff)."""

    permission_classes = [IsSecretariat]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request):
        return xlsx_response("会员单位联络员登记导入模板.xlsx", imports.template_sheets())


class ImportView(APIView):
    """POST multipart `file`, a filled-in template → 201 {"units","liaisons"} created, or 400
    {"errors": [{"row","field","message"}]} with nothing written (staff)."""

    permission_classes = [IsSecretariat]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": _Upload}, responses={201: _ImportResult, 400: _ImportErrors})
    def post(self, request):
        upload = request.FILES.get("file")
        try:
            uploads.check_upload(upload, ("xlsx",))
            result = imports.import_workbook(upload, actor=request.user)
        except imports.ImportRejected as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        except BusinessRuleError as exc:
            if exc.__class__ is not BusinessRuleError:
                raise  # NotPermitted: 403 through the project's handler
            error = {"row": 0, "field": exc.field or "file", "message": exc.message}
            return Response({"errors": [error]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(result, status=status.HTTP_201_CREATED)


class RosterExportView(APIView):
    """GET every member unit with its current liaison as an .xlsx, streamed (staff)."""

    permission_classes = [IsSecretariat]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request):
        return xlsx_response(exports.roster_filename(), [exports.roster_sheet()])
