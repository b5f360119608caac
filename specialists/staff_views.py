"""The published exit list (第六条 7: 公布退出名单), as a page and as an .xlsx download."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from alliance.xlsx import xlsx_response

from . import exports, selectors


def _year(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


@require_GET
def exit_list(request):
    year = _year(request)
    exits = selectors.exit_list(year=year)
    page = Paginator(exits, 100).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    return render(
        request,
        "specialists/exit_list.html",
        {"page": page, "year": year, "years": range(this_year, this_year - 5, -1)},
    )


@require_GET
def exit_list_xlsx(request):
    year = _year(request)
    name = f"specialists-exits-{year}.xlsx" if year else "specialists-exits.xlsx"
    return xlsx_response(name, [exports.exit_list_sheet(selectors.exit_list(year=year))])
