from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@never_cache
@require_GET
def healthz(request):
    result = health.status()
    return JsonResponse(result, status=200 if result["ok"] else 503)


def home(request):
    return render(request, "home.html")
