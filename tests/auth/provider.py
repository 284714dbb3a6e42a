"""The local OpenID Connect provider (oidc-provider-mock) in-process, behind a PKCE check and a tamper hook.

The mock does not check PKCE; the middleware in front of its token endpoint does (the S256 of the
code_verifier must equal the code_challenge sent at authorize), so PKCE is proven end to end.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import oidc_provider_mock
import requests
from werkzeug.serving import make_server

MS_ISSUER = "https://login.microsoftonline.com/{tid}/v2.0"
PERSONAL_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def microsoft_claims(tid: str, oid: str, name: str, email: str, **extra: Any) -> dict[str, Any]:
    return {
        "tid": tid,
        "oid": oid,
        "iss": MS_ISSUER.format(tid=tid),
        "name": name,
        "email": email,
        "preferred_username": email,
        # The directory verified the email's domain (an optional claim apps ask Entra for).
        "xms_edov": True,
        **extra,
    }


def google_claims(hd: str | None, name: str, email: str, **extra: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "name": name,
        "email": email,
        "email_verified": True,
        **extra,
    }
    if hd:
        claims["hd"] = hd
    return claims


class Provider:
    """A running provider: `url`, `set_user(sub, claims)`, `tamper` (token response hook), PKCE records."""

    def __init__(self) -> None:
        self.inner = oidc_provider_mock.app(require_nonce=True)
        self.challenges: dict[str, str] = {}
        self.authorize_params: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.tamper: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def authorize(self, authorize_url: str, sub: str) -> str:
        """Submit the provider's authorize form as `sub`; returns the redirect back to the portal."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        return str(response.headers["Location"])

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        # The mock calls a deprecated Authlib hook; the test run turns warnings into errors.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return list(self._route(environ, start_response))

    def _route(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize" and environ["REQUEST_METHOD"] == "POST":
            return self._authorize(environ, start_response)
        if path == "/oauth2/token":
            return self._token(environ, start_response)
        return self.inner(environ, start_response)

    def _authorize(self, environ: dict[str, Any], start_response: Any) -> Any:
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.authorize_params.append(query)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["headers"] = headers
            return start_response(status, headers, exc_info)

        body = list(self.inner(environ, capture))
        location = next((v for k, v in captured.get("headers", []) if k.lower() == "location"), "")
        code = parse_qs(urlsplit(location).query).get("code", [None])[0]
        if code:
            self.challenges[code] = query.get("code_challenge", "") + "|" + query.get("code_challenge_method", "")
        return body

    def _token(self, environ: dict[str, Any], start_response: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length)
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        self.token_requests.append(form)
        challenge, _, method = self.challenges.pop(form.get("code", ""), "|").partition("|")
        if method != "S256" or not form.get("code_verifier") or s256(form["code_verifier"]) != challenge:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [json.dumps({"error": "invalid_grant", "error_description": "PKCE check failed"}).encode()]
        environ["wsgi.input"] = io.BytesIO(raw)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = b"".join(self.inner(environ, capture))
        if self.tamper is not None and captured["status"].startswith("200"):
            chunks = json.dumps(self.tamper(json.loads(chunks))).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(chunks))))
        start_response(captured["status"], headers)
        return [chunks]


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{urlencode(params)}"
