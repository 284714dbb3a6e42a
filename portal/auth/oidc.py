"""OpenID Connect with Authlib for Microsoft Entra and Google: every check explicit, on every sign-in.

Authlib pops `validate` out of the claims options it is given, so the options are built fresh
for each call; passing them also replaces its own issuer check, so issuer and audience are
checked here, and checked again on the validated claims before anything else happens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from flask import current_app
from flask_babel import gettext as _
from joserfc.errors import JoseError

from portal.extensions import oauth
from portal.web.clean import clean_line

PROVIDERS = ("microsoft", "google")
PERSONAL_MICROSOFT_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SCOPE = "openid email profile"


class SignInError(Exception):
    """A refused sign-in: `reason` goes to the audit, `message` to the person."""

    def __init__(self, reason: str, message: str | None = None, user_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message if message is not None else str(_("We could not sign you in. Try again."))
        self.user_id = user_id  # when the identity is known: the failure shows in their own security events


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider vouched for, after every check: the stable key and where it came from."""

    provider: str
    issuer_key: str  # Entra: tid. Google: the issuer.
    subject: str  # Entra: oid. Google: sub.
    directory: str  # Entra: tid. Google: hd.
    name: str
    email: str | None
    # The email the directory itself vouches for, or None: Entra's `email` only when the directory
    # verified the domain (`xms_edov` true); Google's when `email_verified` (always, past the checks).
    verified_email: str | None = None


def client(provider: str) -> Any:
    """The Authlib client for a provider, built from the current configuration (PKCE S256, openid scope)."""
    if provider not in PROVIDERS:
        raise SignInError(f"unknown provider {provider!r}")
    key = provider.upper()
    config = current_app.config
    settings = (config[f"{key}_CLIENT_ID"], config[f"{key}_CLIENT_SECRET"], config[f"{key}_METADATA_URL"])
    cache: dict[tuple[str, ...], Any] = current_app.extensions.setdefault("portal_oidc_clients", {})
    found = cache.get((provider, *settings))
    if found is None:
        name = f"{provider}_{hashlib.sha256(repr(settings).encode()).hexdigest()[:12]}"
        found = oauth.register(
            name,
            client_id=settings[0],
            client_secret=settings[1],
            server_metadata_url=settings[2],
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
        )
        cache[(provider, *settings)] = found
    return found


def provider_origins() -> list[str]:
    """The origins of both providers (their authorize endpoints live beside their metadata)."""
    origins = []
    for provider in PROVIDERS:
        parts = urlsplit(str(current_app.config[f"{provider.upper()}_METADATA_URL"]))
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and parts.netloc and origin not in origins:
            origins.append(origin)
    return origins


def expected_issuer(provider: str, claims: dict[str, Any]) -> set[str]:
    """The issuers a token may carry: Entra's template filled with the token's own tid, or Google's two."""
    if provider == "microsoft":
        tid = str(claims.get("tid") or "")
        return {current_app.config["MICROSOFT_ISSUER_TEMPLATE"].format(tenantid=tid)} if tid else set()
    return set(current_app.config["GOOGLE_ISSUERS"])


def claims_options(provider: str) -> dict[str, Any]:
    """Fresh options for each call (Authlib pops `validate` out of what it is given)."""
    client_id = current_app.config[f"{provider.upper()}_CLIENT_ID"]
    return {
        "iss": {"essential": True, "validate": lambda claims, value: value in expected_issuer(provider, claims)},
        "aud": {"essential": True, "values": [client_id]},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def complete(provider: str) -> VerifiedIdentity:
    """Finish the authorization code flow (state, PKCE, nonce, signature) and check every claim."""
    oidc = client(provider)
    try:
        token = oidc.authorize_access_token(claims_options=claims_options(provider))
    except AuthlibBaseError as error:
        raise SignInError(f"{type(error).__name__}: {error.description or error.error}") from error
    except JoseError as error:
        raise SignInError(f"ID token rejected: {type(error).__name__} {error}") from error
    except (ValueError, requests.RequestException) as error:
        raise SignInError(f"bad response from the provider: {str(error)[:200]}") from error
    claims = token.get("userinfo")
    if not claims:
        raise SignInError("no validated ID token in the response")
    _check_key_issuer(oidc, provider, token["id_token"], claims)
    return verify_claims(provider, dict(claims))


def verify_claims(provider: str, claims: dict[str, Any]) -> VerifiedIdentity:
    """Our own checks on validated claims: issuer, audience, expiry, and the provider's rules."""
    client_id = current_app.config[f"{provider.upper()}_CLIENT_ID"]
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise SignInError("wrong audience")
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] < time.time() - 120:
        raise SignInError("token expired")
    if claims.get("iss") not in expected_issuer(provider, claims):
        raise SignInError(f"unexpected issuer {str(claims.get('iss'))[:100]}")
    # Shown on pages and in mail: one line, no control characters (#18).
    name = clean_line(str(claims.get("name") or claims.get("email") or "Unnamed user"))[:200].strip() or "Unnamed user"
    email = clean_line(str(claims["email"]))[:320].strip() if claims.get("email") else None
    if provider == "microsoft":
        tid = str(claims.get("tid") or "").lower()
        oid = str(claims.get("oid") or "").lower()
        if tid == PERSONAL_MICROSOFT_TENANT:
            raise SignInError(
                "personal Microsoft account",
                str(
                    _(
                        "You signed in with a personal Microsoft account. "
                        "Sign in with the work account your school gives you."
                    )
                ),
            )
        if not GUID.match(tid) or not GUID.match(oid):
            raise SignInError("token has no valid tid or oid")
        verified = email if claims.get("xms_edov") is True else None
        return VerifiedIdentity("microsoft", tid, oid, tid, name, email, verified)
    hd = str(claims.get("hd") or "").lower()
    if not hd:
        raise SignInError(
            "personal Google account (no hd claim)",
            str(
                _("You signed in with a personal Google account. Sign in with your school's Google Workspace account.")
            ),
        )
    if claims.get("email_verified") is not True:
        raise SignInError("email not verified", str(_("Google has not verified this account's email address.")))
    return VerifiedIdentity("google", "https://accounts.google.com", str(claims["sub"]), hd, name, email, email)


def _check_key_issuer(oidc: Any, provider: str, id_token: str, claims: Any) -> None:
    """Where the signing key in the JWKS names its own issuer (Entra does), it must fit the token's."""
    try:
        header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "==="))
    except (ValueError, IndexError) as error:
        raise SignInError("unreadable ID token header") from error
    keys = oidc.fetch_jwk_set().get("keys", [])
    # Without a kid in the header any published key may have signed it, so every one must fit.
    candidates = [key for key in keys if key.get("kid") == header["kid"]] if header.get("kid") else keys
    for key in candidates:
        if key.get("issuer"):
            issuer = str(key["issuer"]).replace("{tenantid}", str(claims.get("tid") or ""))
            if issuer not in expected_issuer(provider, claims):
                raise SignInError("signing key belongs to another issuer")
