"""The suite's sign-in settings point at an address it holds itself, not at the demo's provider (#17).

`make run` serves the demo's provider on 127.0.0.1:5556. A test that assumed nothing listens
there failed when a developer ran the suite beside `make run`: here the same provider listens on
5556 (started by the test, or `make run`'s own), and starting a sign-in still answers 503.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import oidc_provider_mock
import pytest
from werkzeug.serving import make_server

from portal.devtools.stack import OIDC_PORT
from tests.conftest import UNREACHABLE_METADATA_URL
from tests.pages import PageClient


@pytest.fixture
def something_on_the_demo_port() -> Iterator[None]:
    """The demo's provider listening on its port, unless one (say, `make run`'s) already does."""
    with socket.socket() as probe:
        taken = probe.connect_ex(("127.0.0.1", OIDC_PORT)) == 0
    if taken:
        yield
        return
    server = make_server("127.0.0.1", OIDC_PORT, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", OIDC_PORT), timeout=5):
            pass
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_suite_never_points_at_the_demo_provider(client_request: PageClient) -> None:
    config = client_request.app.config
    assert config["MICROSOFT_METADATA_URL"] == config["GOOGLE_METADATA_URL"] == UNREACHABLE_METADATA_URL
    assert f":{OIDC_PORT}/" not in UNREACHABLE_METADATA_URL
    with socket.socket() as probe:
        port = int(UNREACHABLE_METADATA_URL.split(":")[2].split("/")[0])
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the suite's own provider address must refuse"


@pytest.mark.usefixtures("something_on_the_demo_port")
def test_sign_in_start_answers_503_while_the_demo_port_is_served(client_request: PageClient) -> None:
    response = client_request.post("auth.start", {"next": "/t/"}, _expected_status=503, provider="microsoft")
    assert b"could not" in response.data.lower()
