"""Webhooks leave through the outbox, signed, to a real HTTP receiver on loopback that verifies each one with the
Standard Webhooks reference library; failures are retried with backoff under the same webhook-id (#27)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from portal.dates import now
from portal.extensions import db
from portal.register.options import set_option
from portal.webhooks import endpoints
from portal.webhooks.models import MessageStatus, WebhookAttempt, WebhookMessage
from portal.webhooks.worker import backoff, claim_batch, deliver_due
from tests.factories import make_school
from tests.webhooks.conftest import SYSTEM, messages


@pytest.fixture
def meadowbank(app):
    return make_school("Meadowbank Primary School", slug="meadowbank-primary-school", urn="107701")


def _make_due() -> None:
    db.session.execute(update(WebhookMessage).values(next_attempt_at=now() - dt.timedelta(seconds=1)))
    db.session.commit()


def test_an_option_change_is_queued_with_it_and_arrives_signed_and_verified(
    platform, endpoint, meadowbank, azure_fallback
):
    set_option(meadowbank, azure_fallback, False, expected_version=0, actor=SYSTEM)
    [queued] = messages()  # in the change's own transaction, before any commit
    db.session.commit()
    assert queued.status is MessageStatus.QUEUED and queued.msg_id.startswith("msg_")

    report = deliver_due()

    assert report.delivered == 1
    [got] = platform.deliveries
    assert got.verified and got.msg_id == queued.msg_id and got.event_type == "tenancy.option_changed"
    assert got.data == {
        "tenancy": {"slug": "meadowbank-primary-school", "urn": "107701", "name": "Meadowbank Primary School"},
        "option": "azure-fallback",
        "enabled": False,
        "version": 1,
        "requested_at": got.data["requested_at"],
    }
    [sent] = messages()
    assert sent.status is MessageStatus.DELIVERED and sent.attempts == 1
    attempt = db.session.scalar(select(WebhookAttempt))
    assert attempt.status_code == 204 and attempt.error is None


def test_a_change_that_rolls_back_sends_nothing(platform, endpoint, meadowbank, azure_fallback):
    set_option(meadowbank, azure_fallback, False, expected_version=0, actor=SYSTEM)
    db.session.rollback()
    assert messages() == []
    assert deliver_due().handled == 0 and platform.deliveries == []


def test_a_refused_message_is_retried_with_backoff_under_the_same_id_and_body(
    platform, endpoint, meadowbank, azure_fallback
):
    platform.use_secret(endpoints.new_secret())  # the platform holds a wrong secret: it answers 401
    set_option(meadowbank, azure_fallback, False, expected_version=0, actor=SYSTEM)
    db.session.commit()
    before = now()
    report = deliver_due()
    assert report.retried == 1 and report.delivered == 0
    [waiting] = messages()
    assert waiting.status is MessageStatus.QUEUED and waiting.attempts == 1
    assert waiting.last_error == "The endpoint answered 401"
    assert before + backoff(1) <= waiting.next_attempt_at <= now() + backoff(1)
    assert deliver_due().handled == 0  # not due yet

    platform.use_secret(endpoint.secret)
    _make_due()
    assert deliver_due().delivered == 1
    first, second = platform.deliveries
    assert not first.verified and second.verified and first.msg_id == second.msg_id == waiting.msg_id
    codes = [a.status_code for a in db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id))]
    assert codes == [401, 204]


def test_backoff_grows_exponentially_and_a_message_fails_only_after_the_last_attempt(app, endpoint, meadowbank):
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 15, 45, 135]
    assert backoff(30) == dt.timedelta(hours=6)
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    db.session.execute(update(type(endpoint)).values(url="http://127.0.0.1:9/closed"))  # nothing listens there
    endpoints.ping(endpoint, actor=SYSTEM)
    db.session.commit()
    assert deliver_due().retried == 1
    _make_due()
    assert deliver_due().failed == 1
    [failed] = messages()
    assert failed.status is MessageStatus.FAILED and failed.attempts == 2 and "ConnectionError" in failed.last_error
    assert deliver_due().handled == 0  # failed for good: shown on the console, not retried by itself

    # Sent again by hand: the same id and body, queued at once.
    assert endpoints.send_again(failed, actor=SYSTEM)
    db.session.commit()
    [again] = messages()
    assert again.status is MessageStatus.QUEUED and again.msg_id == failed.msg_id and again.body == failed.body


def test_a_claimed_message_is_not_claimed_twice_and_a_dead_workers_claim_lapses(platform, endpoint):
    endpoints.ping(endpoint, actor=SYSTEM)
    db.session.commit()
    _token, batch = claim_batch(10)
    assert len(batch) == 1 and claim_batch(10)[1] == []  # a second worker finds nothing to take
    # The first worker dies mid-post: after the lease its claim lapses and the message goes once more.
    db.session.execute(update(WebhookMessage).values(claimed_at=now() - dt.timedelta(minutes=10)))
    db.session.commit()
    assert deliver_due().delivered == 1
    assert [d.msg_id for d in platform.deliveries] == [batch[0].msg_id]


def test_after_a_rotation_both_secrets_sign_so_the_platform_misses_nothing(platform, endpoint):
    old = endpoint.secret
    new = endpoints.rotate_secret(endpoint, actor=SYSTEM)
    assert new != old and new.startswith("whsec_")
    endpoints.ping(endpoint, actor=SYSTEM)
    db.session.commit()
    assert deliver_due().delivered == 1  # the platform still holds the old secret
    assert platform.deliveries[-1].verified
    # Every signature is v1 over id.timestamp.body; each secret verifies the same message.
    at = now()
    header = endpoints.signature_header(endpoints.live_secrets(endpoint, at), "msg_x", at, '{"a":1}')
    assert len(header.split(" ")) == 2 and all(s.startswith("v1,") for s in header.split(" "))
    for secret in (old, new):
        headers = {"webhook-id": "msg_x", "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": header}
        assert Webhook(secret).verify('{"a":1}', headers) == {"a": 1}
    # After the overlap only the new secret signs.
    later = endpoint.previous_secret_until + dt.timedelta(seconds=1)
    assert endpoints.live_secrets(endpoint, later) == (new,)


def test_the_body_has_the_standard_payload_shape(platform, endpoint):
    message = endpoints.ping(endpoint, actor=SYSTEM)
    payload = json.loads(message.body)
    assert set(payload) == {"type", "timestamp", "data"} and payload["type"] == "ping"
    assert payload["timestamp"].endswith("Z")
