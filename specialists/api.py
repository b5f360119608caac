"""The specialists part of the API contract (SPEC, "Specialists")."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.exceptions import NotPermitted

from . import selectors, services
from .lifecycle import lifecycle_run
from .models import PointRule, Reward, Specialist
from .permissions import CanManageSpecialists, can_view_specialist
from .serializers import (
    ActivitySerializer,
    ExitSerializer,
    IcebreakerResultSerializer,
    LedgerEntrySerializer,
    LifecycleResultSerializer,
    LifecycleRunSerializer,
    MyPointsQuerySerializer,
    MyPointsSerializer,
    OnSerializer,
    PointRuleSerializer,
    RedemptionRequestSerializer,
    RedemptionSerializer,
    RewardSerializer,
    SpecialistCreateSerializer,
    SpecialistSerializer,
    TransferRequestSerializer,
    TransferSerializer,
)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _specialist(pk):
    return get_object_or_404(Specialist.objects.select_related("user", "committee", "liaison"), pk=pk)


class PointRuleList(ListAPIView):
    serializer_class = PointRuleSerializer
    pagination_class = None

    def get_queryset(self):
        return PointRule.objects.filter(active=True).order_by("order", "code")


class RewardList(ListAPIView):
    serializer_class = RewardSerializer
    pagination_class = None

    def get_queryset(self):
        return Reward.objects.filter(active=True).order_by("order", "code")


class SpecialistCreate(APIView):
    permission_classes = [CanManageSpecialists]

    @extend_schema(request=SpecialistCreateSerializer, responses={201: SpecialistSerializer})
    def post(self, request):
        data = _valid(SpecialistCreateSerializer, request)
        specialist = services.specialist_create(**data, created_by=request.user)
        return Response(SpecialistSerializer(specialist).data, status=status.HTTP_201_CREATED)


class SpecialistDetail(APIView):
    @extend_schema(responses=SpecialistSerializer)
    def get(self, request, pk):
        specialist = _specialist(pk)
        if not can_view_specialist(request.user, specialist):
            raise Http404
        return Response(SpecialistSerializer(specialist).data)


class SpecialistApprove(APIView):
    permission_classes = [CanManageSpecialists]

    @extend_schema(request=OnSerializer, responses=SpecialistSerializer)
    def post(self, request, pk):
        data = _valid(OnSerializer, request)
        specialist = services.specialist_approve(_specialist(pk), on=data["on"], actor=request.user)
        return Response(SpecialistSerializer(specialist).data)


class SpecialistActivities(APIView):
    permission_classes = [CanManageSpecialists]

    @extend_schema(request=ActivitySerializer, responses={201: LedgerEntrySerializer})
    def post(self, request, pk):
        data = _valid(ActivitySerializer, request)
        entry = services.activity_record(_specialist(pk), actor=request.user, **data)
        body = LedgerEntrySerializer(entry).data
        body["balance"] = selectors.balance_of(entry.specialist)
        return Response(body, status=status.HTTP_201_CREATED)


class SpecialistIcebreakers(APIView):
    permission_classes = [CanManageSpecialists]

    @extend_schema(request=OnSerializer, responses={201: IcebreakerResultSerializer})
    def post(self, request, pk):
        data = _valid(OnSerializer, request)
        attendance = services.icebreaker_record(_specialist(pk), on=data["on"], actor=request.user)
        body = {"specialist": attendance.specialist_id, "on": attendance.held_on, "activity": attendance.activity_id}
        return Response(body, status=status.HTTP_201_CREATED)


class SpecialistExit(APIView):
    permission_classes = [CanManageSpecialists]

    @extend_schema(request=ExitSerializer, responses=SpecialistSerializer)
    def post(self, request, pk):
        data = _valid(ExitSerializer, request)
        specialist = services.specialist_confirm_exit(
            _specialist(pk), on=data["on"], decision=data["decision"], actor=request.user
        )
        return Response(SpecialistSerializer(specialist).data)


class LifecycleRunView(APIView):
    permission_classes = [CanManageSpecialists]

    @extend_schema(request=LifecycleRunSerializer, responses=LifecycleResultSerializer)
    def post(self, request):
        """Run (or with dry_run preview) the rules for as_of; each change has its `reason` as a sentence.

        A future as_of can only be previewed: a real run for it answers 400 {"as_of": [reason]}."""
        data = _valid(LifecycleRunSerializer, request)
        run, changes = lifecycle_run(as_of=data["as_of"], dry_run=data["dry_run"], actor=request.user, source="api")
        return Response(
            {
                "as_of": data["as_of"],
                "dry_run": data["dry_run"],
                "run": run.pk if run else None,
                "changes": [c.as_dict() for c in changes],
            }
        )


def _me(request):
    specialist = selectors.specialist_for_user(request.user)
    if specialist is None:
        raise NotPermitted(_("Only specialists have points."))
    return specialist


class MyPoints(APIView):
    permission_classes = [IsAuthenticated]
    PAGE_SIZE = 50

    @extend_schema(parameters=[MyPointsQuerySerializer], responses=MyPointsSerializer)
    def get(self, request):
        specialist = _me(request)
        query = MyPointsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: v for k, v in query.validated_data.items() if k != "page"}
        page = selectors.ledger_page(
            selectors.ledger_of(specialist, **filters), query.validated_data["page"], per_page=self.PAGE_SIZE
        )
        return Response(
            {
                "balance": specialist.balance,
                "status": specialist.status,
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "entries": LedgerEntrySerializer(page.object_list, many=True).data,
            }
        )


class MyRedemptions(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=RedemptionRequestSerializer, responses={201: RedemptionSerializer})
    def post(self, request):
        specialist = _me(request)
        data = _valid(RedemptionRequestSerializer, request)
        redemption, _created = services.redemption_create(
            specialist,
            reward=data["reward"],
            quantity=data.get("quantity") or 1,
            price=data.get("price"),
            cash_points=data.get("cash_points"),
            idempotency_key=data["idempotency_key"],
            actor=request.user,
        )
        # A repeated key answers with the first result (201 again), recording nothing new.
        return Response(RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class MyTransfers(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=TransferRequestSerializer, responses={201: TransferSerializer})
    def post(self, request):
        specialist = _me(request)
        data = _valid(TransferRequestSerializer, request)
        transfer, _created = services.transfer_create(
            specialist,
            recipient=data["to"],
            points=data["points"],
            idempotency_key=data["idempotency_key"],
            actor=request.user,
        )
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)
