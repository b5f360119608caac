"""Printed documents of the liaison programme (seed 002), rendered with alliance.pdf.

- The registration form 会员单位联络员登记 in the seed's layout, with the liaison's photo.
- The letter to a unit whose liaison did nothing for a year (第十三条: 协会和学会将向该会员单位提出
  更换人选的建议), signed by the two offices that run the programme (第三条, 第十四条).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.text import get_valid_filename

from alliance import pdf

from .imports import NATURE_NAMES

# The two bodies and their offices as the seed names them; settings may name them otherwise.
ASSOCIATION_NAME = getattr(settings, "LIAISONS_ASSOCIATION_NAME", "陕西省煤炭工业协会")
SOCIETY_NAME = getattr(settings, "LIAISONS_SOCIETY_NAME", "陕西省煤炭学会")
ASSOCIATION_OFFICE = getattr(settings, "LIAISONS_ASSOCIATION_OFFICE", f"{ASSOCIATION_NAME}办公室")
SOCIETY_OFFICE = getattr(settings, "LIAISONS_SOCIETY_OFFICE", f"{SOCIETY_NAME}秘书处办公室")
# 填表说明 8: where the form and letters go.
OFFICE_ADDRESS = getattr(settings, "LIAISONS_OFFICE_ADDRESS", "西安市和平路东十一道巷6号")
OFFICE_POSTCODE = getattr(settings, "LIAISONS_OFFICE_POSTCODE", "710001")
RULEBOOK = "《陕西省煤炭工业协会、陕西省煤炭学会会员单位联络员工作制度》（陕煤协会发〔2018〕25号）"

# The photo is handed to WeasyPrint from memory under this address: alliance.pdf's fetcher serves the
# project's static files only, and the media folder (uploads) must stay out of its reach.
PHOTO_URL = "liaison-photo:thumbnail"
GENDERS = {"male": "男", "female": "女"}


def _photo_bytes(liaison):
    """The thumbnail (a JPEG the service made from the upload), else the photo; None without one."""
    for image in (liaison.thumbnail, liaison.photo):
        if image:
            try:
                with image.open("rb") as fh:
                    return fh.read()
            except OSError:  # the file is gone from storage: print the form without it
                continue
    return None


def _render(template, context, images=None):
    """alliance.pdf.render_pdf, with `images` ({address: bytes}) served from memory."""
    return pdf.render_pdf(template, context, images=images)


def registration_context(liaison):
    unit = liaison.organisation
    return {
        "association_name": ASSOCIATION_NAME,
        "society_name": SOCIETY_NAME,
        "number": f"{liaison.pk:06d}",
        "unit": unit,
        "nature": NATURE_NAMES.get(unit.nature, ""),
        "liaison": liaison,
        "gender": GENDERS.get(liaison.gender, ""),
        "postcode": liaison.postcode or unit.postcode,
        "resume": list(liaison.resume.all()),
        "photo_url": PHOTO_URL,
    }


def registration_pdf(liaison):
    """The liaison's 会员单位联络员登记 as printed for the unit's seal (填表说明 6), with the photo."""
    context = registration_context(liaison)
    photo = _photo_bytes(liaison)
    context["has_photo"] = photo is not None
    return _render("liaisons/pdf/registration.html", context, {PHOTO_URL: photo} if photo else None)


def replacement_letter_pdf(unit, liaison, year, *, on=None):
    """第十三条: the letter suggesting that `unit` name another liaison, `liaison` having done nothing in
    `year`; dated `on` (today by default) and signed by the two offices."""
    on = on or timezone.localdate()
    return _render(
        "liaisons/pdf/replacement_letter.html",
        {
            "unit": unit,
            "liaison": liaison,
            "year": year,
            "on": on,
            "rulebook": RULEBOOK,
            "association_name": ASSOCIATION_NAME,
            "society_name": SOCIETY_NAME,
            "association_office": ASSOCIATION_OFFICE,
            "society_office": SOCIETY_OFFICE,
            "office_address": OFFICE_ADDRESS,
            "office_postcode": OFFICE_POSTCODE,
        },
    )


def registration_filename(liaison):
    """A Chinese download name (sent as RFC 6266 filename*), e.g. 会员单位联络员登记-某某公司-张三.pdf."""
    return f"会员单位联络员登记-{get_valid_filename(liaison.organisation.name)}-{get_valid_filename(liaison.name)}.pdf"


def replacement_letter_filename(unit, year):
    return f"关于建议更换联络员的函-{get_valid_filename(unit.name)}-{year}.pdf"


def chinese_date(day: dt.date):
    return f"{day.year}年{day.month}月{day.day}日"
