"""The liaisons API (SPEC, API contract "Liaisons"; seed 002).  Thin: every rule is in services.

Who reaches what follows liaisons.permissions: the association office (secretariat) every unit and
every staff operation; a liaison their own unit only, through their active post, so a liaison handed
over loses access at once; anyone else 404 for a unit and 403 for the rest.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.models import Organisation
from alliance.permissions import IsSecretariat
from alliance.serializers import ErrorSerializer
from alliance.validation import check_year

from . import permissions, selectors, services
from .models import Article, Feedback, Notice, NoticeDelivery
from .serializers import (
    LiaisonArticleCreateSerializer,
    LiaisonArticleDecisionSerializer,
    LiaisonArticleSerializer,
    LiaisonAssessmentRowSerializer,
    LiaisonFeedbackAnswerSerializer,
    LiaisonFeedbackCreateSerializer,
    LiaisonFeedbackSerializer,
    LiaisonNoticeCreatedSerializer,
    LiaisonNoticeCreateSerializer,
    LiaisonNoticeSerializer,
    LiaisonOwnUnitSerializer,
    LiaisonRegisterSerializer,
    LiaisonSelfUpdateSerializer,
    LiaisonSerializer,
    MembershipFeeSerializer,
    MemberUnitCreateSerializer,
    MemberUnitSerializer,
    UnitChangeRequestCreateSerializer,
    UnitChangeRequestSerializer,
)


def _valid(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _loaded(unit):
    """The unit with its memberships, current liaison and history (selectors.unit_with_liaisons)."""
    return selectors.unit_with_liaisons(Organisation.objects.filter(pk=unit.pk)).get()


# ---- member units and their liaisons (the office) -----------------------------------------------


class UnitCreateView(APIView):
    """POST (staff): register a member unit under its registered full name."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=MemberUnitCreateSerializer, responses={201: MemberUnitSerializer})
    def post(self, request):
        data = _valid(MemberUnitCreateSerializer, request)
        unit = services.unit_register(**data, actor=request.user)
        return Response(MemberUnitSerializer(_loaded(unit)).data, status=status.HTTP_201_CREATED)


class UnitDetailView(APIView):
    """GET a unit with its memberships, current liaison and earlier liaisons (staff; a liaison: their own)."""

    @extend_schema(responses=MemberUnitSerializer)
    def get(self, request, pk):
        unit = permissions.unit_or_404(request.user, pk)
        return Response(MemberUnitSerializer(_loaded(unit)).data)


class LiaisonRegisterView(APIView):
    """POST (staff): the unit's new liaison from the registration form; the current one is handed over."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=LiaisonRegisterSerializer, responses={201: LiaisonSerializer})
    def post(self, request, pk):
        unit = permissions.unit_or_404(request.user, pk)
        data = _valid(LiaisonRegisterSerializer, request)
        liaison = services.liaison_register(unit, actor=request.user, **data)
        return Response(LiaisonSerializer(liaison).data, status=status.HTTP_201_CREATED)


# ---- a liaison's own unit and duties ---------------------------------------------------------


class MeView(APIView):
    """The requesting liaison's unit (GET), and their own contact details (PATCH)."""

    @extend_schema(responses=LiaisonOwnUnitSerializer)
    def get(self, request):
        liaison = permissions.own_post(request.user)
        unit = _loaded(liaison.organisation)
        return Response(LiaisonOwnUnitSerializer(unit, context={"fees": selectors.unit_fees(unit.pk)}).data)

    @extend_schema(request=LiaisonSelfUpdateSerializer, responses=LiaisonSerializer)
    def patch(self, request):
        liaison = permissions.own_post(request.user)
        data = _valid(LiaisonSelfUpdateSerializer, request, partial=True)
        # The office's fields go to the service as sent: it refuses them (403 naming the field).
        office_only = {
            key: request.data[key]
            for key in request.data
            if key in services.LIAISON_FIELDS and key not in services.SELF_SERVICE_FIELDS
        }
        liaison = services.liaison_update(liaison, actor=request.user, **data, **office_only)
        return Response(LiaisonSerializer(liaison).data)


class MyUnitChangeView(APIView):
    """POST: ask the office to change the unit's registered name or nature."""

    @extend_schema(request=UnitChangeRequestCreateSerializer, responses={201: UnitChangeRequestSerializer})
    def post(self, request):
        liaison = permissions.own_post(request.user)
        data = _valid(UnitChangeRequestCreateSerializer, request)
        change = services.unit_change_request(liaison, **data)
        return Response(UnitChangeRequestSerializer(change).data, status=status.HTTP_201_CREATED)


class MyArticlesView(APIView):
    """第七条 三: the unit's website submissions (GET) and a new one (POST), pending the office's decision."""

    @extend_schema(responses=LiaisonArticleSerializer(many=True))
    def get(self, request):
        liaison = permissions.own_post(request.user)
        articles = selectors.unit_articles(liaison.organisation_id)
        return Response(LiaisonArticleSerializer(articles, many=True).data)

    @extend_schema(request=LiaisonArticleCreateSerializer, responses={201: LiaisonArticleSerializer})
    def post(self, request):
        liaison = permissions.own_post(request.user)
        data = _valid(LiaisonArticleCreateSerializer, request)
        article = services.article_submit(liaison, **data)
        return Response(LiaisonArticleSerializer(article).data, status=status.HTTP_201_CREATED)


class MyFeedbackView(APIView):
    """第七条 二、四: the unit's opinions and problems with the office's answers (GET), a new one (POST)."""

    @extend_schema(responses=LiaisonFeedbackSerializer(many=True))
    def get(self, request):
        liaison = permissions.own_post(request.user)
        feedback = selectors.unit_feedback(liaison.organisation_id)
        return Response(LiaisonFeedbackSerializer(feedback, many=True).data)

    @extend_schema(request=LiaisonFeedbackCreateSerializer, responses={201: LiaisonFeedbackSerializer})
    def post(self, request):
        liaison = permissions.own_post(request.user)
        data = _valid(LiaisonFeedbackCreateSerializer, request)
        feedback = services.feedback_raise(liaison, **data)
        return Response(LiaisonFeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class MyFeeHandledView(APIView):
    """第七条 五: POST, the liaison confirms they saw to the unit's fee of that year (a second time: no change)."""

    @extend_schema(request=None, responses=MembershipFeeSerializer)
    def post(self, request, pk):
        liaison = permissions.own_post(request.user)
        fee = selectors.unit_fees(liaison.organisation_id).filter(pk=pk).first()
        if fee is None:
            raise Http404(_("Your unit has no such annual fee."))
        fee = services.fee_confirm_handling(fee, liaison=liaison)
        return Response(MembershipFeeSerializer(selectors.unit_fees(liaison.organisation_id).get(pk=fee.pk)).data)


# ---- the office's decisions, notices and the assessment -------------------------------------------


class ArticleDecisionView(APIView):
    """POST (staff) {"adopted"}: the office marks a submission adopted or not (第十三条 采用率)."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=LiaisonArticleDecisionSerializer, responses=LiaisonArticleSerializer)
    def post(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        data = _valid(LiaisonArticleDecisionSerializer, request)
        article = services.article_decide(article, adopted=data["adopted"], actor=request.user)
        return Response(LiaisonArticleSerializer(article).data)


class FeedbackAnswerView(APIView):
    """POST (staff) {"answer"}: the office's answer, shown to the unit's liaison (第三条 三)."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=LiaisonFeedbackAnswerSerializer, responses=LiaisonFeedbackSerializer)
    def post(self, request, pk):
        feedback = get_object_or_404(Feedback, pk=pk)
        data = _valid(LiaisonFeedbackAnswerSerializer, request)
        feedback = services.feedback_answer(feedback, answer=data["answer"], actor=request.user)
        return Response(LiaisonFeedbackSerializer(feedback).data)


class NoticeCreateView(APIView):
    """POST (staff): a notice to every current liaison or the ones listed, emailed by a background task."""

    permission_classes = [IsSecretariat]

    @extend_schema(request=LiaisonNoticeCreateSerializer, responses={201: LiaisonNoticeCreatedSerializer})
    def post(self, request):
        data = _valid(LiaisonNoticeCreateSerializer, request)
        notice = services.notice_send(
            subject=data["subject"], body=data["body"], liaisons=data.get("liaisons"), actor=request.user
        )
        return Response({"id": notice.pk, "recipients": notice.deliveries.count()}, status=status.HTTP_201_CREATED)


class NoticeDetailView(APIView):
    """GET (staff): the notice and each delivery: to whom, where, sent or not, when."""

    permission_classes = [IsSecretariat]

    @extend_schema(responses=LiaisonNoticeSerializer)
    def get(self, request, pk):
        notices = Notice.objects.select_related("sent_by").prefetch_related(
            Prefetch("deliveries", queryset=NoticeDelivery.objects.select_related("liaison__organisation"))
        )
        return Response(LiaisonNoticeSerializer(get_object_or_404(notices, pk=pk)).data)


class AssessmentView(APIView):
    """GET (staff): the year's ranking of the liaisons (第十三条), with the stipend band (第十条).

    `inactive`: the liaison did nothing that year; the office suggests a replacement to the unit.
    """

    permission_classes = [IsSecretariat]

    @extend_schema(responses={200: LiaisonAssessmentRowSerializer(many=True), 400: ErrorSerializer})
    def get(self, request, year):
        rows = selectors.assessment(check_year(year))
        return Response(LiaisonAssessmentRowSerializer(rows, many=True).data)
