"""Reports API (read-only, DASHBOARD_VIEW): the figures of the dashboards, from the same
selectors, so the API and the pages give the same numbers.

GET /api/v1/reports/ar-aging?basis=service|submission&site=
GET /api/v1/reports/kpis?start=YYYY-MM&end=YYYY-MM&site=&payer=
GET /api/v1/reports/denials?start=YYYY-MM&end=YYYY-MM&site=&payer=
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from infusion_rcm.accounts.roles import Capability
from infusion_rcm.common.api import HasCapability
from infusion_rcm.common.errors import InvalidInputError
from reports import selectors, services
from reports.domain.definitions import BUCKETS, AgingBasis
from reports.engine_check import NEEDS_POSTGRESQL, on_postgresql
from reports.forms import AgingFilterForm, ReportFilterForm


def _money(help_text: str = "") -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, help_text=help_text or None)


class BucketAmountsSerializer(serializers.Serializer):
    bucket = serializers.CharField(help_text="0_30, 31_60, 61_90, 91_120, over_120")
    name = serializers.CharField()
    insurance = _money()
    patient = _money()
    total = _money()


class AgingRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="payer id, payer kind, or 'total'")
    name = serializers.CharField()
    buckets = BucketAmountsSerializer(many=True)
    insurance = _money()
    patient = _money()
    total = _money("sum of the open claims' positive balances")
    credit = _money("sum of the credit balances (negative)")
    claims = serializers.IntegerField()
    credit_claims = serializers.IntegerField()


class ArAgingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    basis = serializers.CharField()
    total = _money("open debit balances: insurance + patient")
    insurance_total = _money()
    patient_total = _money()
    credit_total = _money()
    net_total = _money("total + credit_total")
    buckets = BucketAmountsSerializer(many=True)
    by_payer = AgingRowSerializer(many=True)
    by_payer_kind = AgingRowSerializer(many=True)


class KpiMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    value = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)


class KpiSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    target = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    better = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    denominator = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    definition = serializers.CharField()
    months = KpiMonthSerializer(many=True)


class KpisSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    kpis = KpiSerializer(many=True)


class DenialGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    amount = _money()


class DenialsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    count = serializers.IntegerField()
    amount = _money()
    appealed_claims = serializers.IntegerField()
    overturned_claims = serializers.IntegerField()
    overturn_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    top_reasons = DenialGroupSerializer(many=True)
    by_payer = DenialGroupSerializer(many=True)
    by_category = DenialGroupSerializer(many=True)
    by_carc = DenialGroupSerializer(many=True)
    by_code = DenialGroupSerializer(many=True)
    by_site = DenialGroupSerializer(many=True)
    by_month = DenialGroupSerializer(many=True)


def _refuse(form) -> None:
    messages = [str(m) for errors in form.errors.values() for m in errors]
    raise InvalidInputError(" ".join(messages) or "Invalid filter.", extra={"errors": form.errors})


def _row(row) -> dict:
    return {
        "key": row.key,
        "name": row.label,
        "buckets": [
            {
                "bucket": b.key,
                "name": b.label,
                "insurance": row.insurance[b.key],
                "patient": row.patient[b.key],
                "total": row.bucket_total(b.key),
            }
            for b in BUCKETS
        ],
        "insurance": row.insurance_total,
        "patient": row.patient_total,
        "total": row.total,
        "credit": row.credit,
        "claims": row.claims,
        "credit_claims": row.credit_claims,
    }


class ServiceUnavailable(APIException):
    status_code = 503
    default_code = "needs_postgresql"


class _ReportView(APIView):
    permission_classes = [HasCapability]
    required_capability = Capability.DASHBOARD_VIEW

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not on_postgresql():
            raise ServiceUnavailable(NEEDS_POSTGRESQL)


_PERIOD = [
    OpenApiParameter("start", str, description="first month, YYYY-MM (default: 11 months before end)"),
    OpenApiParameter("end", str, description="last month, YYYY-MM (default: this month)"),
    OpenApiParameter("site", str, description="site of care (aic, ais, home, office, hopd)"),
    OpenApiParameter("payer", int, description="payer id"),
]


class ArAgingView(_ReportView):
    @extend_schema(
        parameters=[
            OpenApiParameter("basis", str, enum=[b.value for b in AgingBasis], description="age from"),
            OpenApiParameter("site", str, description="site of care"),
        ],
        responses=ArAgingSerializer,
    )
    def get(self, request):
        form = AgingFilterForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            _refuse(form)
        values = form.values()
        services.reports_catch_up()
        today = timezone.localdate()
        aging = selectors.ar_aging(as_of=today, basis=values["basis"], site=values["site"])
        total = _row(aging.total)
        data = {
            "as_of": today,
            "basis": aging.basis.value,
            "total": total["total"],
            "insurance_total": total["insurance"],
            "patient_total": total["patient"],
            "credit_total": total["credit"],
            "net_total": total["total"] + total["credit"],
            "buckets": total["buckets"],
            "by_payer": [_row(r) for r in aging.by_payer],
            "by_payer_kind": [_row(r) for r in aging.by_kind],
        }
        return Response(ArAgingSerializer(data).data)


def _period(request) -> dict:
    form = ReportFilterForm(request.query_params or None, today=timezone.localdate())
    if form.is_bound and not form.is_valid():
        _refuse(form)
    return form.values()


class KpisView(_ReportView):
    @extend_schema(parameters=_PERIOD, responses=KpisSerializer)
    def get(self, request):
        values = _period(request)
        services.reports_catch_up()
        lines = selectors.kpi_report(today=timezone.localdate(), **values)
        data = {
            "start": values["first"],
            "end": values["last"],
            "kpis": [
                {
                    "key": line.key,
                    "name": line.name,
                    "unit": line.unit,
                    "value": line.value,
                    "target": line.target,
                    "better": line.better,
                    "numerator": line.numerator,
                    "denominator": line.denominator,
                    "definition": line.definition,
                    "months": [{"month": m, "value": v} for m, v in line.months],
                }
                for line in lines
            ],
        }
        return Response(KpisSerializer(data).data)


def _groups(groups) -> list[dict]:
    return [{"key": g.key, "name": g.label, "count": g.count, "amount": g.amount} for g in groups]


class DenialsView(_ReportView):
    @extend_schema(parameters=_PERIOD, responses=DenialsSerializer)
    def get(self, request):
        values = _period(request)
        services.reports_catch_up()
        report = selectors.denial_report(**values)
        data = {
            "start": values["first"],
            "end": values["last"],
            "count": report.total_count,
            "amount": report.total_amount or Decimal("0.00"),
            "appealed_claims": report.appealed,
            "overturned_claims": report.overturned,
            "overturn_rate": report.overturn_rate,
            "top_reasons": _groups(report.top_reasons),
            "by_payer": _groups(report.by_payer),
            "by_category": _groups(report.by_category),
            "by_carc": _groups(report.by_carc),
            "by_code": _groups(report.by_code),
            "by_site": _groups(report.by_site),
            "by_month": _groups(report.by_month),
        }
        return Response(DenialsSerializer(data).data)
