"""A stand-in for the vendor's learning platform: it receives the portal's webhooks and confirms changes.

`make run` starts one on loopback and registers it as a webhook endpoint with a service token, so a
new user sees a switch go from "requested" to "applied" a few seconds later. It does what a real
platform would: verifies every message's signature with the Standard Webhooks reference library
(refusing any that fails with 401), drops a repeat of a webhook-id it has seen, and, for an option
change or a new exclusion, confirms through /api/v1/ after a delay. It imports nothing of the portal.
Open its address in a browser to see what it received.

    python -m portal.devtools.platform --port 5557 --portal http://127.0.0.1:5000
    (PLATFORM_WEBHOOK_SECRET and PLATFORM_API_TOKEN in the environment)
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import sys
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

MAX_BODY = 1_000_000


@dataclass
class Delivery:
    """One request as the stand-in received it, and what it made of it."""

    at: dt.datetime
    msg_id: str
    verified: bool
    event_type: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    repeat: bool = False


class StandInPlatform:
    """The receiver and its memory; `serve()` runs it on a thread, `close()` stops it."""

    def __init__(
        self,
        secret: str,
        *,
        portal_url: str = "",
        token: str = "",
        delay: float = 3.0,
        port: int = 0,
        echo: bool = False,
    ) -> None:
        self.webhook = Webhook(secret)
        self.portal_url, self.token, self.delay, self.echo = portal_url.rstrip("/"), token, delay, echo
        self.deliveries: list[Delivery] = []
        self.confirmations: list[tuple[str, int, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/webhooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.timers: list[threading.Timer] = []

    def use_secret(self, secret: str) -> None:
        """Verify with this secret from now on (the platform's copy after a rotation)."""
        self.webhook = Webhook(secret)

    def serve(self) -> StandInPlatform:
        self.thread.start()
        return self

    def close(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> StandInPlatform:
        return self.serve()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def receive(self, body: bytes, headers: dict[str, str]) -> int:
        """Verify, remember, and schedule a confirmation; the HTTP status to answer with."""
        msg_id = headers.get("webhook-id", "")
        try:
            payload = self.webhook.verify(body, headers)
        except (WebhookVerificationError, ValueError) as error:
            self._keep(Delivery(dt.datetime.now(dt.UTC), msg_id, False, note=f"refused: {error}"))
            return HTTPStatus.UNAUTHORIZED
        with self.lock:
            repeat = any(d.msg_id == msg_id and d.verified for d in self.deliveries)
        delivery = Delivery(
            dt.datetime.now(dt.UTC),
            msg_id,
            True,
            event_type=str(payload.get("type", "")),
            data=payload.get("data") or {},
            repeat=repeat,
            note="a repeat of a webhook-id already handled: ignored" if repeat else "signature verified",
        )
        self._keep(delivery)
        if not repeat and self.portal_url and self.token:
            self._schedule(delivery)
        return HTTPStatus.NO_CONTENT

    def _keep(self, delivery: Delivery) -> None:
        with self.lock:
            self.deliveries.append(delivery)
        if self.echo:
            print(f"[platform] {delivery.msg_id} {delivery.event_type or '-'}: {delivery.note}", flush=True)

    def _schedule(self, delivery: Delivery) -> None:
        data, slug = delivery.data, (delivery.data.get("tenancy") or {}).get("slug")
        if delivery.event_type == "tenancy.option_changed" and slug:
            body = {"kind": "option", "option": data.get("option"), "version": data.get("version")}
        elif delivery.event_type == "tenancy.exclusion_added" and slug:
            body = {"kind": "exclusion", "entry": data.get("entry")}
        else:
            return
        timer = threading.Timer(self.delay, self._confirm, args=(str(slug), body))
        timer.daemon = True
        self.timers.append(timer)
        timer.start()

    def _confirm(self, slug: str, body: dict[str, Any]) -> None:
        """Tell the portal the change is applied now, through its API, as the real platform would."""
        applied = dict(body, applied_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())
        try:
            response = requests.post(
                f"{self.portal_url}/api/v1/tenancies/{slug}/confirmations",
                json=applied,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=10,
            )
            status, note = response.status_code, response.text[:200]
        except requests.RequestException as error:
            status, note = 0, str(error)
        with self.lock:
            self.confirmations.append((slug, status, note))
        if self.echo:
            print(f"[platform] confirmed {body.get('option') or body.get('entry')} for {slug}: {status}", flush=True)

    def page(self) -> str:
        """What it received, newest first, as a plain page (a developer's tool, not a portal page)."""
        with self.lock:
            rows = [
                f"<tr><td>{d.at:%H:%M:%S}</td><td><code>{html.escape(d.msg_id)}</code></td>"
                f"<td>{html.escape(d.event_type)}</td><td>{'yes' if d.verified else 'NO'}</td>"
                f"<td>{html.escape(d.note)}</td><td><code>{html.escape(json.dumps(d.data))}</code></td></tr>"
                for d in reversed(self.deliveries)
            ]
            done = [
                f"<li>{html.escape(slug)}: {status} {html.escape(note)}</li>"
                for slug, status, note in self.confirmations
            ]
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Stand-in platform</title>"
            "<meta http-equiv='refresh' content='3'></head><body><h1>Stand-in platform: webhooks received</h1>"
            "<table><thead><tr><th>Time (UTC)</th><th>webhook-id</th><th>Event</th><th>Signature valid</th>"
            f"<th>What it did</th><th>Data</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<h2>Confirmations sent to the portal</h2><ul>{''.join(done)}</ul></body></html>"
        )


def _handler(platform: StandInPlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if self.path != "/webhooks" or not 0 <= length <= MAX_BODY:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            status = platform.receive(self.rfile.read(length), dict(self.headers.items()))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            body = platform.page().encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # each delivery is printed by the platform itself

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=5557)
    parser.add_argument("--portal", default="http://127.0.0.1:5000")
    parser.add_argument("--delay", type=float, default=3.0, help="Seconds before confirming a change.")
    args = parser.parse_args()
    secret, token = os.environ.get("PLATFORM_WEBHOOK_SECRET"), os.environ.get("PLATFORM_API_TOKEN")
    if not secret or not token:
        print("Set PLATFORM_WEBHOOK_SECRET and PLATFORM_API_TOKEN", file=sys.stderr)
        return 2
    platform = StandInPlatform(secret, portal_url=args.portal, token=token, delay=args.delay, port=args.port, echo=True)
    try:
        platform.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        platform.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
