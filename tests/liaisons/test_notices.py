"""第三条 二: notices emailed to the liaisons through a real SMTP server (aiosmtpd on 127.0.0.1).

Each addressed liaison receives a notice exactly once: the delivery rows say sent and when, a second
run of the task sends nothing, a liaison handed over is not addressed, and a message the mail server
could not take is recorded failed and sent once by a later run.
"""

import datetime as dt
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from liaisons import services, tasks
from liaisons.enums import DeliveryStatus
from liaisons.models import Notice, NoticeDelivery
from tests.liaisons.factories import LiaisonFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db

API = "/api/liaisons"
SUBJECT = "关于召开2025年度联络员会议的通知"
BODY = "各会员单位联络员：定于4月1日召开联络员会议，请准时参加。"


class Inbox:
    """An aiosmtpd handler keeping every message the server accepted: who it was for, what it said."""

    def __init__(self):
        self.messages = []
        self.refuse = set()  # addresses answered "550 mailbox unavailable"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        # Django folds a long encoded subject onto a continuation line; unfolding leaves a leading space.
        subject = str(message["subject"]).strip()
        self.messages.append((tuple(envelope.rcpt_tos), subject, message.get_content().strip()))
        return "250 Message accepted for delivery"

    def received(self):
        """(recipient, subject) of every message, in arrival order."""
        return [(to, subject) for rcpt_tos, subject, _body in self.messages for to in rcpt_tos]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """A local SMTP server that can be stopped and started again on the same port."""

    def __init__(self):
        self.inbox = Inbox()
        self.port = _free_port()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def liaisons(db):
    """Three current liaisons, and one of a fourth unit who was handed over (no successor yet)."""
    current = [
        LiaisonFactory(organisation=MemberUnitFactory(name=f"通知单位{n}"), email=f"liaison{n}@example.com")
        for n in (1, 2, 3)
    ]
    former = LiaisonFactory(organisation=MemberUnitFactory(name="通知单位4"), email="former@example.com")
    services.liaison_end(former, on=dt.date(2025, 1, 1))
    return current, former


def test_a_notice_to_all_reaches_every_current_liaison_once(
    smtp, liaisons, api_client, staff_user, django_capture_on_commit_callbacks
):
    current, former = liaisons
    api_client.force_authenticate(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"{API}/notices/", {"subject": SUBJECT, "body": BODY}, format="json")

    assert response.status_code == 201
    assert response.json()["recipients"] == 3
    assert sorted(smtp.inbox.received()) == [
        ("liaison1@example.com", SUBJECT),
        ("liaison2@example.com", SUBJECT),
        ("liaison3@example.com", SUBJECT),
    ]
    assert {body for _to, _subject, body in smtp.inbox.messages} == {BODY}
    assert "former@example.com" not in {to for to, _subject in smtp.inbox.received()}
    notice = Notice.objects.get(pk=response.json()["id"])
    deliveries = list(notice.deliveries.order_by("email"))
    assert [(d.liaison_id, d.email, d.status, d.error) for d in deliveries] == [
        (x.pk, x.email, DeliveryStatus.SENT, "") for x in current
    ]
    assert all(d.sent_at is not None for d in deliveries)
    detail = api_client.get(f"{API}/notices/{notice.pk}/").json()
    assert [(d["email"], d["status"]) for d in detail["deliveries"]] == [(x.email, "sent") for x in current]
    assert all(d["sent_at"] for d in detail["deliveries"])

    # Running the tasks again sends nothing more.
    again = tasks.send_notice.delay(notice_id=notice.pk).get()
    sweep = tasks.send_pending_notices.delay().get()

    assert again == {"notice": notice.pk, "sent": 0, "failed": 0}
    assert sweep == {"notices": 0, "sent": 0, "failed": 0}
    assert len(smtp.inbox.messages) == 3
    assert [d.sent_at for d in notice.deliveries.order_by("email")] == [d.sent_at for d in deliveries]


def test_a_notice_to_a_selection_reaches_only_the_chosen_current_liaisons(
    smtp, liaisons, api_client, staff_user, django_capture_on_commit_callbacks
):
    current, former = liaisons
    chosen = [current[0].pk, current[2].pk, former.pk]  # the former liaison is no longer addressed
    api_client.force_authenticate(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"{API}/notices/",
            {"subject": "会费缴纳通知", "body": "请办理2025年度会费。", "liaisons": chosen},
            format="json",
        )

    assert response.status_code == 201
    assert response.json()["recipients"] == 2
    assert sorted(smtp.inbox.received()) == [
        ("liaison1@example.com", "会费缴纳通知"),
        ("liaison3@example.com", "会费缴纳通知"),
    ]
    assert set(NoticeDelivery.objects.values_list("liaison_id", "status")) == {
        (current[0].pk, DeliveryStatus.SENT),
        (current[2].pk, DeliveryStatus.SENT),
    }


def test_a_notice_the_mail_server_could_not_take_is_sent_once_after_it_is_back(
    smtp, liaisons, staff_user, django_capture_on_commit_callbacks
):
    current, _former = liaisons
    smtp.stop()

    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notice_send(subject=SUBJECT, body=BODY, actor=staff_user)

    deliveries = list(notice.deliveries.order_by("email"))
    assert [(d.email, d.status, d.sent_at) for d in deliveries] == [
        (x.email, DeliveryStatus.FAILED, None) for x in current
    ]
    assert all(d.error for d in deliveries)
    assert smtp.inbox.messages == []

    smtp.start()
    first = tasks.send_pending_notices.delay().get()
    second = tasks.send_pending_notices.delay().get()

    assert first == {"notices": 1, "sent": 3, "failed": 0}
    assert second == {"notices": 0, "sent": 0, "failed": 0}
    assert sorted(smtp.inbox.received()) == [(x.email, SUBJECT) for x in current]
    assert [(d.status, d.error) for d in notice.deliveries.order_by("email")] == [(DeliveryStatus.SENT, "")] * 3
    assert all(d.sent_at is not None for d in notice.deliveries.all())


def test_a_recipient_the_server_refused_is_sent_later_and_the_others_not_again(
    smtp, liaisons, staff_user, django_capture_on_commit_callbacks
):
    current, _former = liaisons
    smtp.inbox.refuse.add("liaison2@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notice_send(subject=SUBJECT, body=BODY, actor=staff_user)

    assert list(notice.deliveries.order_by("email").values_list("status", flat=True)) == [
        DeliveryStatus.SENT,
        DeliveryStatus.FAILED,
        DeliveryStatus.SENT,
    ]
    smtp.inbox.refuse.clear()

    result = tasks.send_notice.delay(notice_id=notice.pk).get()

    assert result == {"notice": notice.pk, "sent": 1, "failed": 0}
    assert sorted(smtp.inbox.received()) == [(x.email, SUBJECT) for x in current]
