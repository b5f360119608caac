"""The green-mine API (SPEC, API contract "Green mine").  Thin: every rule is in services."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.exceptions import BusinessRuleError
from alliance.parsers import JSONParser
from alliance.permissions import IsSecretariat
from alliance.validation import ItemErrors
from alliance.xlsx import XLSX_CONTENT_TYPE

from . import exports, permissions, selectors, services
from .models import Evidence
from .serializers import (
    AssessmentCreateSerializer,
    AssessmentSerializer,
    AssignmentResultSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    PrerequisiteItemSerializer,
    PrerequisitesResultSerializer,
    PrerequisiteStateSerializer,
    ScoreItemSerializer,
    ScoresResultSerializer,
    SiteVisitSerializer,
    SubmitResultSerializer,
    UsernameSerializer,
)


def _list_body(request, key):
    """A list body, or {key: [...]} for clients that cannot send a bare list."""
    data = request.data
    if isinstance(data, dict) and key in data:
        data = data[key]
    if not isinstance(data, list):
        raise BusinessRuleError(_("Send a JSON list."), field=key)
    return data


def _validated_items(serializer_class, items):
    """Every item checked; the errors of all of them at once, by position (see ItemErrors)."""
    serializer = serializer_class(data=items, many=True)
    if not serializer.is_valid():
        # DRF gives {position: errors} for the bad items only (older versions: a list with {} for good ones).
        raw = serializer.errors
        pairs = raw.items() if isinstance(raw, dict) else enumerate(raw)
        errors = {
            int(index): {field: [str(m) for m in _messages(messages)] for field, messages in item_errors.items()}
            for index, item_errors in pairs
            if item_errors
        }
        raise ItemErrors(errors, length=len(items))
    return serializer.validated_data


def _messages(detail):
    """The reasons of a DRF error detail, flattened (a nested field gives a dict or a list)."""
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [detail]


class CatalogueView(APIView):
    """GET the current indicator catalogue (number 1–49, category, points, attribute, variant, rule)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        catalogue = services.current_catalogue()
        items = [
            {
                "number": i.number,
                "category": i.category.name,
                "category_number": i.category.number,
                "subcategory": i.subcategory,
                "name": i.name,
                "points": float(i.points),
                "attribute": i.attribute,
                "variant": i.variant or None,
                "method": i.method,
                "scoring_text": i.scoring_text,
                "basis": i.basis,
                "rule": i.rule,
            }
            for i in selectors.catalogue_indicators(catalogue)
        ]
        prerequisites = [
            {"code": p.code, "name": p.name, "requirement": p.requirement} for p in catalogue.prerequisites.all()
        ]
        return Response({"version": catalogue.code, "items": items, "prerequisites": prerequisites})


class AssessmentListView(APIView):
    @extend_schema(responses=AssessmentSerializer(many=True))
    def get(self, request):
        return Response(AssessmentSerializer(selectors.assessments_for(request.user), many=True).data)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def post(self, request):
        permissions.require_staff(request.user)
        serializer = AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_create(**serializer.validated_data, created_by=request.user)
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetailView(APIView):
    @extend_schema(responses=AssessmentSerializer)
    def get(self, request, pk):
        return Response(AssessmentSerializer(permissions.assessment_or_404(request.user, pk)).data)


class ExpertsView(APIView):
    permission_classes = [IsSecretariat]

    @extend_schema(request=UsernameSerializer, responses={201: AssignmentResultSerializer})
    def post(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        serializer = UsernameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.expert_assign(
            assessment, username=serializer.validated_data["username"], assigned_by=request.user
        )
        return Response(
            {"id": assignment.pk, "username": assignment.expert.username, "status": assignment.status},
            status=status.HTTP_201_CREATED,
        )


class ReopenView(APIView):
    """POST {"username"}: staff unlock an expert's submitted scores."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=UsernameSerializer, responses=AssignmentResultSerializer)
    def post(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        serializer = UsernameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = assessment.assignments.filter(expert__username=serializer.validated_data["username"]).first()
        if assignment is None:
            raise BusinessRuleError(_("This user is not assigned to this assessment."), field="username")
        assignment = services.assignment_reopen(assignment, by=request.user, reason=request.data.get("reason", ""))
        return Response({"username": assignment.expert.username, "status": assignment.status})


class PrerequisitesView(APIView):
    """PUT [{"code","passed","record"}] (staff or an assigned expert)."""

    @extend_schema(responses=PrerequisiteStateSerializer(many=True))
    def get(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        return Response(selectors.load_assessment_data(assessment).prerequisites)

    @extend_schema(request=PrerequisiteItemSerializer(many=True), responses=PrerequisitesResultSerializer)
    def put(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        items = _validated_items(PrerequisiteItemSerializer, _list_body(request, "prerequisites"))
        assessment = services.prerequisites_record(assessment, items, by=request.user)
        data = selectors.load_assessment_data(assessment)
        return Response({"status": assessment.status, "prerequisites": data.prerequisites})


def _score_payload(score):
    return {
        "number": score.indicator.number,
        "score": None if score.score is None else float(score.score),
        "not_applicable": score.not_applicable,
        "reason": score.reason,
        "record": score.record,
        "inputs": score.inputs,
    }


class ScoresView(APIView):
    """The requesting expert's own scores: GET them, PUT [{"number","score"?,"not_applicable"?,"reason"?,"record"}]."""

    @extend_schema(responses=ScoresResultSerializer)
    def get(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        assignment = permissions.own_assignment(request.user, assessment)
        scores = assignment.scores.select_related("indicator")
        return Response({"status": assignment.status, "scores": [_score_payload(s) for s in scores]})

    @extend_schema(request=ScoreItemSerializer(many=True), responses=ScoresResultSerializer)
    def put(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        assignment = permissions.own_assignment(request.user, assessment)
        items = _validated_items(ScoreItemSerializer, _list_body(request, "scores"))
        saved = services.scores_save(assignment, items, by=request.user)
        return Response({"status": assignment.status, "scores": [_score_payload(s) for s in saved]})


class SubmitView(APIView):
    """POST: the expert submits their table (locked until staff reopen it)."""

    @extend_schema(request=None, responses=SubmitResultSerializer)
    def post(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        assignment = services.assignment_submit(permissions.own_assignment(request.user, assessment), by=request.user)
        return Response({"status": assignment.status, "submitted_at": assignment.submitted_at})


class CompleteView(APIView):
    """POST (staff): close the scoring and keep the result."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        assessment = services.assessment_complete(permissions.assessment_or_404(request.user, pk), by=request.user)
        return Response(assessment.result)


class EvidenceView(APIView):
    """POST multipart `number`, `file` (staff or an assigned expert); GET the list."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]  # alliance.parsers': depth-limited

    @extend_schema(responses=EvidenceSerializer(many=True))
    def get(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        evidence = assessment.evidence.select_related("indicator")
        return Response(EvidenceSerializer(evidence, many=True).data)

    @extend_schema(request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer})
    def post(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        evidence = services.evidence_add(
            assessment, number=request.data.get("number"), upload=request.FILES.get("file"), by=request.user
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDownloadView(APIView):
    """The file, through the same permission check as its assessment (never a public media URL)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, evidence_id):
        evidence = Evidence.objects.filter(pk=evidence_id).select_related("assessment").first()
        if evidence is None:
            raise Http404
        permissions.assessment_or_404(request.user, evidence.assessment_id)
        return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


class SiteVisitsView(APIView):
    @extend_schema(responses=SiteVisitSerializer(many=True))
    def get(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        visits = assessment.site_visits.prefetch_related("indicators")
        return Response(SiteVisitSerializer(visits, many=True).data)

    @extend_schema(request=SiteVisitSerializer, responses={201: SiteVisitSerializer})
    def post(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        serializer = SiteVisitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit = services.site_visit_record(assessment, **serializer.validated_data, by=request.user)
        return Response(SiteVisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class ResultView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        permissions.require_result_access(request.user, assessment)
        return Response(selectors.cached_result_payload(assessment))


class ExportView(APIView):
    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        permissions.require_result_access(request.user, assessment)
        return exports.xlsx_download(assessment)


class ReportView(APIView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        assessment = permissions.assessment_or_404(request.user, pk)
        permissions.require_result_access(request.user, assessment)
        return exports.pdf_download(assessment)
