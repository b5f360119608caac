"""The nominations API (SPEC, API contract "Nominations"; seed 004).  Thin: every rule is in services.

Who reaches what follows nominations.permissions: the secretariat (staff) every nomination and every
staff operation (campaigns, experts, ranking, shortlists); a nominating unit's accounts (the
applicant role) their unit's nominations; an expert the recommended nominations of their fields,
never their own unit's.  A nomination someone may not see answers 404, never its data.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import Organisation
from alliance.pdf import pdf_response
from alliance.permissions import IsSecretariat

from . import permissions, selectors, services
from .models import IndustryCode, Nomination
from .serializers import (
    CampaignCreateSerializer,
    CampaignSerializer,
    NominationAttachmentSerializer,
    NominationAttachmentUploadSerializer,
    NominationEvaluationSerializer,
    NominationExpertAssignSerializer,
    NominationExpertSerializer,
    NominationPublishedEntrySerializer,
    NominationRankingQuerySerializer,
    NominationRankingRowSerializer,
    NominationScoresSerializer,
    NominationSerializer,
    NominationShortlistEntrySerializer,
    NominationShortlistSetSerializer,
    NominationWriteSerializer,
)

YEAR_MAX = 32767  # a campaign's year column; larger numbers name no campaign


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _campaign(year):
    campaign = selectors.campaign_by_year(year) if 0 <= year <= YEAR_MAX else None
    if campaign is None:
        raise Http404(_("No campaign for this year."))
    return campaign


def _loaded(queryset):
    """Nominations with what NominationSerializer reads, in a constant number of queries."""
    return queryset.select_related("campaign", "unit", "recommender", "preselected_by").prefetch_related(
        Prefetch("industries", queryset=IndustryCode.objects.only("pk", "code"))
    )


def _nomination_data(nomination):
    return NominationSerializer(_loaded(Nomination.objects.filter(pk=nomination.pk)).get()).data


def _form_values(data):
    """The validated form for the services: the society by its full name in the registry."""
    values = dict(data)
    if "preselected_by" in values:
        name = values.pop("preselected_by")
        society = Organisation.objects.filter(name=name.strip()).first()
        if society is None:
            raise BusinessRuleError(
                _("No unit with the full name %(name)s in the registry.") % {"name": name}, field="preselected_by"
            )
        values["preselected_by"] = society
    return values


# ---- campaigns (the secretariat) ----------------------------------------------------------------


class CampaignCreateView(APIView):
    """POST (staff): a year's campaign; deadlines and caps left out follow the seed's timetable."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer})
    def post(self, request):
        data = _valid(CampaignCreateSerializer, request.data)
        campaign = services.campaign_create(actor=request.user, **data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class ExpertAssignView(APIView):
    """POST (staff) {"username","field"}: a preliminary-evaluation expert of the field."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=NominationExpertAssignSerializer, responses={201: NominationExpertSerializer})
    def post(self, request, year):
        campaign = _campaign(year)
        data = _valid(NominationExpertAssignSerializer, request.data)
        assignment = services.expert_assign(
            campaign, field=data["field"], username=data["username"], actor=request.user
        )
        return Response(NominationExpertSerializer(assignment).data, status=status.HTTP_201_CREATED)


class RankingView(APIView):
    """GET (staff) ?field=F: the field's recommended nominations, best mean of the experts' sums first."""

    permission_classes = [IsSecretariat]

    @extend_schema(parameters=[NominationRankingQuerySerializer], responses=NominationRankingRowSerializer(many=True))
    def get(self, request, year):
        campaign = _campaign(year)
        query = _valid(NominationRankingQuerySerializer, request.query_params)
        rows = selectors.ranking(campaign, query["field"])
        return Response(NominationRankingRowSerializer(rows, many=True).data)


class ShortlistView(APIView):
    """POST (staff) {"field","ids"}: the field's shortlist in order of rank (25–30, or all when fewer)."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=NominationShortlistSetSerializer, responses=NominationShortlistEntrySerializer(many=True))
    def post(self, request, year):
        campaign = _campaign(year)
        data = _valid(NominationShortlistSetSerializer, request.data)
        chosen = services.shortlist_set(campaign, field=data["field"], ids=data["ids"], actor=request.user)
        shortlist = Nomination.objects.filter(pk__in=[n.pk for n in chosen]).select_related("unit")
        shortlist = shortlist.order_by("shortlist_rank")
        return Response(NominationShortlistEntrySerializer(shortlist, many=True).data)


class PublishedListView(APIView):
    """GET (anyone, no login): the published list — names, fields and units, no scores."""

    permission_classes = [AllowAny]

    @extend_schema(responses=NominationPublishedEntrySerializer(many=True))
    def get(self, request, year):
        campaign = _campaign(year)
        return Response(NominationPublishedEntrySerializer(selectors.published_list(campaign), many=True).data)


# ---- nominations (the nominating unit) ----------------------------------------------------------


class CampaignNominationsView(APIView):
    """GET: the campaign's nominations the user may see; POST (applicant): a draft of the user's unit."""

    @extend_schema(responses=NominationSerializer(many=True))
    def get(self, request, year):
        campaign = _campaign(year)
        nominations = _loaded(selectors.nominations_for(request.user, campaign)).order_by("field", "pk")
        return Response(NominationSerializer(nominations, many=True).data)

    @extend_schema(request=NominationWriteSerializer, responses={201: NominationSerializer})
    def post(self, request, year):
        campaign = _campaign(year)
        data = _form_values(_valid(NominationWriteSerializer, request.data))
        nomination = services.nomination_create(campaign, user=request.user, **data)
        return Response(_nomination_data(nomination), status=status.HTTP_201_CREATED)


class NominationDetailView(APIView):
    """GET a nomination (who may see it); PATCH a draft (the nominating unit, before the deadline)."""

    @extend_schema(responses=NominationSerializer)
    def get(self, request, pk):
        nomination = permissions.nomination_or_404(request.user, pk)
        return Response(_nomination_data(nomination))

    @extend_schema(request=NominationWriteSerializer, responses=NominationSerializer)
    def patch(self, request, pk):
        nomination = permissions.nomination_or_404(request.user, pk)
        data = _valid(NominationWriteSerializer, request.data, partial=True)
        nomination = services.nomination_update(nomination, user=request.user, **data)
        return Response(_nomination_data(nomination))


class NominationSubmitView(APIView):
    """POST: the unit submits its draft (to the field's consortium, or to the society's selection)."""

    @extend_schema(request=None, responses=NominationSerializer)
    def post(self, request, pk):
        nomination = permissions.nomination_or_404(request.user, pk)
        nomination = services.nomination_submit(nomination, user=request.user)
        return Response(_nomination_data(nomination))


class EvaluationView(APIView):
    """POST (an expert of the nomination's field): the six scores; again, they replace the expert's own
    until the preliminary-evaluation deadline.  201 both times (API contract)."""

    @extend_schema(request=NominationScoresSerializer, responses={201: NominationEvaluationSerializer})
    def post(self, request, pk):
        nomination = permissions.nomination_or_404(request.user, pk)
        scores = _valid(NominationScoresSerializer, request.data)
        evaluation = services.evaluation_save(nomination, expert=request.user, scores=dict(scores))
        return Response(NominationEvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


class NominationPdfView(APIView):
    """GET (the nominating unit or staff): the 推荐表 as a PDF for the paper copy."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        nomination = permissions.nomination_or_404(request.user, pk)
        if not permissions.may_print(request.user, nomination):
            raise NotPermitted(_("Only the nominating unit and the secretariat may print the form."))
        from .documents import nomination_filename, nomination_pdf

        return pdf_response(nomination_pdf(nomination), nomination_filename(nomination))


# ---- the detailed materials as files (附件 2: 详细材料可另附) ----------------------------------------


class NominationAttachmentsView(APIView):
    """POST multipart `kind`, `file` (the nominating unit or staff, a draft before the deadline): the
    detailed material as a .docx or .pdf; it replaces the one of that kind."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": NominationAttachmentUploadSerializer},
        responses={201: NominationAttachmentSerializer},
    )
    def post(self, request, pk):
        nomination = permissions.nomination_or_404(request.user, pk)
        attachment = services.attachment_upload(
            nomination, kind=request.data.get("kind", ""), upload=request.FILES.get("file"), user=request.user
        )
        return Response(NominationAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class NominationAttachmentView(APIView):
    """DELETE (the nominating unit or staff, a draft before the deadline): the attachment of `kind`."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk, kind):
        nomination = permissions.nomination_or_404(request.user, pk)
        services.attachment_remove(nomination, kind=kind, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
