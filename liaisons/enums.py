"""States and kinds of the member-unit liaison programme (seed 002)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Association(models.TextChoices):
    """The two bodies the seed serves with one registry (通知: 协会、学会)."""

    ASSOCIATION = "association", _("Coal Industry Association (协会)")
    SOCIETY = "society", _("Coal Society (学会)")


class MembershipLevel(models.TextChoices):
    PRESIDENT = "president", _("President unit")
    VICE_PRESIDENT = "vice_president", _("Vice-president unit")
    STANDING_DIRECTOR = "standing_director", _("Standing director unit")
    DIRECTOR = "director", _("Director unit")
    MEMBER = "member", _("Member unit")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class ArticleStatus(models.TextChoices):
    """第七条 三: website submissions; the office decides whether each is used."""

    PENDING = "pending", _("Awaiting decision")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class RequestStatus(models.TextChoices):
    """A liaison's request to change the unit's registered name or nature (office approval)."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("liaisons", "Rejected")


class GatheringKind(models.TextChoices):
    MEETING = "meeting", _("Liaison meeting (第九条)")
    TRAINING = "training", _("Training (第十一条)")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Not sent yet")
    SENT = "sent", pgettext_lazy("liaisons", "Sent")
    FAILED = "failed", _("Failed")
