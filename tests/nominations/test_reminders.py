"""Deadline reminders by email (Celery beat, `alliance.nominations.send_reminders`) through a real SMTP
server (aiosmtpd on 127.0.0.1), the days chosen with time_machine in Beijing time.

Before the recommendation deadline each unit with drafts hears once, at its applicant accounts'
addresses; before the preliminary-evaluation deadline each expert with unscored nominations of their
fields hears once.  A second run sends nothing; a unit without drafts and an expert who scored
everything get nothing; a message the server refused is sent by a later run.
"""

import datetime as dt
import email
import socket
from email import policy
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import IntegrityError

from nominations import tasks
from nominations.enums import Field, NominationStatus
from nominations.models import Evaluation, ExpertAssignment, ReminderSent, ReminderStage
from tests.nominations.factories import CampaignFactory, NominationFactory, UnitFactory, applicant, expert

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


class Inbox:
    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append((tuple(sorted(envelope.rcpt_tos)), str(message["subject"]).strip(), message.get_content()))
        return "250 Message accepted for delivery"

    def recipients(self):
        return sorted(rcpt for rcpt, _subject, _body in self.messages)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    controller.stop()


def _on(day, hour=8):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=BEIJING), tick=False)


def _run():
    return tasks.send_reminders.delay().get()


# The seed's 2020 timetable: recommendations close on 20 November, the preliminary evaluation on 30 November.
RECOMMENDATION = dt.date(2020, 11, 20)
PRELIMINARY = dt.date(2020, 11, 30)


@pytest.fixture
def units():
    """A unit with two drafts and two applicant accounts (and an account of another role), a unit whose
    nominations are all submitted, and a unit with a draft in next year's campaign."""
    campaign = CampaignFactory()
    drafting = UnitFactory(name="甲研究院")
    first = applicant(drafting, email="jia1@example.com")
    applicant(drafting, email="jia2@example.com")
    applicant(drafting, email="")  # no address: not written to
    expert(drafting, email="jia-expert@example.com")  # not an applicant account
    for name in ("稀土提取技术", "尾矿建材技术"):
        NominationFactory(campaign=campaign, unit=drafting, created_by=first, name=name, status=NominationStatus.DRAFT)
    done = UnitFactory(name="乙研究院")
    applicant(done, email="yi@example.com")
    NominationFactory(campaign=campaign, unit=done, status=NominationStatus.SUBMITTED)
    later = UnitFactory(name="丙研究院")
    applicant(later, email="bing@example.com")
    NominationFactory(
        campaign=CampaignFactory(
            year=2021,
            recommendation_deadline=dt.date(2021, 11, 20),
            preliminary_deadline=dt.date(2021, 11, 30),
            final_review_deadline=dt.date(2021, 12, 20),
            publication_date=dt.date(2021, 12, 31),
        ),
        unit=later,
        status=NominationStatus.DRAFT,
    )
    return campaign


def test_units_with_drafts_hear_once_before_the_recommendation_deadline(smtp, units):
    with _on(RECOMMENDATION - dt.timedelta(days=4)):
        assert _run()["units_sent"] == 0  # not yet: three days before
    assert smtp.messages == []

    with _on(RECOMMENDATION - dt.timedelta(days=3)):
        result = _run()

    assert result["units_sent"] == 1
    assert smtp.recipients() == [("jia1@example.com", "jia2@example.com")]
    _to, subject, body = smtp.messages[0]
    assert "2020" in subject and "2020年11月20日" in subject
    assert "甲研究院" in body and "稀土提取技术" in body and "尾矿建材技术" in body and "2" in body
    record = ReminderSent.objects.get()
    assert (record.stage, record.unit.name, record.expert, record.deadline, record.pending) == (
        ReminderStage.RECOMMENDATION,
        "甲研究院",
        None,
        RECOMMENDATION,
        2,
    )

    # The same day again (a second beat run, a retry), and the next days up to the deadline: nothing.
    for day in (RECOMMENDATION - dt.timedelta(days=3), RECOMMENDATION - dt.timedelta(days=1), RECOMMENDATION):
        with _on(day, hour=20):
            assert _run()["units_sent"] == 0
    assert len(smtp.messages) == 1
    assert ReminderSent.objects.count() == 1


def test_a_unit_without_drafts_hears_nothing(smtp, units):
    NominationFactory(campaign=units, unit=UnitFactory(name="丁研究院"), status=NominationStatus.PRESELECTION)

    with _on(RECOMMENDATION - dt.timedelta(days=1)):
        _run()

    addresses = {address for rcpt, _s, _b in smtp.messages for address in rcpt}
    assert addresses == {"jia1@example.com", "jia2@example.com"}
    assert "yi@example.com" not in addresses and "bing@example.com" not in addresses
    assert "jia-expert@example.com" not in addresses


def test_after_the_deadline_nothing_is_sent(smtp, units):
    with _on(RECOMMENDATION + dt.timedelta(days=1)):
        assert _run()["units_sent"] == 0
    assert smtp.messages == []


def test_a_refused_message_is_sent_by_a_later_run(smtp, units):
    smtp.refuse = {"jia1@example.com", "jia2@example.com"}
    with _on(RECOMMENDATION - dt.timedelta(days=2)):
        assert _run()["units_failed"] == 1
    assert ReminderSent.objects.count() == 0

    smtp.refuse = set()
    with _on(RECOMMENDATION - dt.timedelta(days=1)):
        assert _run()["units_sent"] == 1
    assert smtp.recipients() == [("jia1@example.com", "jia2@example.com")]


def test_the_database_keeps_one_reminder_per_recipient(units):
    unit = UnitFactory(name="甲研究院")
    values = {"campaign": units, "stage": ReminderStage.RECOMMENDATION, "deadline": RECOMMENDATION, "pending": 1}
    ReminderSent.objects.create(unit=unit, emails="a@example.com", **values)

    with pytest.raises(IntegrityError):
        ReminderSent.objects.create(unit=unit, emails="b@example.com", **values)


@pytest.fixture
def evaluation():
    """In the preliminary evaluation: a field with three recommended nominations, one of them the unit
    of one expert, and a draft; three experts of the field."""
    campaign = CampaignFactory()
    own_unit = UnitFactory(name="专家所在单位")
    nominations = [
        NominationFactory(campaign=campaign, name="技术甲"),
        NominationFactory(campaign=campaign, name="技术乙", status=NominationStatus.SHORTLISTED, shortlist_rank=1),
        NominationFactory(campaign=campaign, name="技术丙", unit=own_unit),
    ]
    NominationFactory(campaign=campaign, name="未提交", status=NominationStatus.DRAFT)
    NominationFactory(campaign=campaign, name="别的领域", field=Field.MATERIALS)
    behind = expert(email="behind@example.com", name="周明")
    done = expert(email="done@example.com")
    conflicted = expert(own_unit, email="conflicted@example.com")
    for user in (behind, done, conflicted):
        ExpertAssignment.objects.create(campaign=campaign, field=Field.RESOURCES_ENVIRONMENT, expert=user)
    scores = dict.fromkeys(("feasibility", "advancement", "originality", "irreplaceability", "maturity", "market"), 8)
    _score = lambda nomination, user: Evaluation.objects.create(  # noqa: E731
        nomination=nomination, expert=user, total=48, **scores
    )
    _score(nominations[0], behind)
    for nomination in nominations:
        _score(nomination, done)
    for nomination in nominations[:2]:  # the third is their own unit's: not theirs to score
        _score(nomination, conflicted)
    return campaign


def test_experts_with_unscored_nominations_hear_once_before_the_preliminary_deadline(smtp, evaluation):
    with _on(PRELIMINARY - dt.timedelta(days=2)):
        result = _run()
        again = _run()

    assert (result["experts_sent"], again["experts_sent"]) == (1, 0)
    assert smtp.recipients() == [("behind@example.com",)]
    _to, subject, body = smtp.messages[0]
    assert "2020年11月30日" in subject
    assert "周明" in body and "2" in body
    record = ReminderSent.objects.get()
    assert (record.stage, record.expert.email, record.unit, record.pending) == (
        ReminderStage.PRELIMINARY,
        "behind@example.com",
        None,
        2,
    )

    with _on(PRELIMINARY):
        assert _run()["experts_sent"] == 0
    assert len(smtp.messages) == 1


def test_an_expert_who_scored_everything_hears_nothing(smtp, evaluation):
    behind = ExpertAssignment.objects.get(expert__email="behind@example.com").expert
    scores = dict.fromkeys(("feasibility", "advancement", "originality", "irreplaceability", "maturity", "market"), 7)
    for nomination in evaluation.nominations.filter(name__in=["技术乙", "技术丙"]):
        Evaluation.objects.create(nomination=nomination, expert=behind, total=42, **scores)

    with _on(PRELIMINARY - dt.timedelta(days=1)):
        result = _run()

    assert result["experts_sent"] == 0
    assert smtp.messages == []
    assert ReminderSent.objects.count() == 0


def test_the_days_before_come_from_the_campaign_defaults(monkeypatch, smtp, units):
    from nominations import reference

    monkeypatch.setattr(reference, "campaign_defaults", lambda: {"reminder_days_before": 7})
    with _on(RECOMMENDATION - dt.timedelta(days=7)):
        assert _run()["units_sent"] == 1
