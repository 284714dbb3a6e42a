"""The vendor's signing keys: a local demo CA for `make run` and tests, or the vendor's own from configuration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder
from pyhanko.sign import signers

from portal import dates

DEMO_PASSWORD = "demo-signing-password"  # noqa: S105 - a local demo key only; production refuses SIGNING_DEMO


@dataclass(frozen=True)
class DemoKeys:
    """Where a generated demo key set lives."""

    root_path: Path
    pkcs12_path: Path
    password: str


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Larkspur Learning Ltd (demo)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def generate(folder: Path, *, password: str = DEMO_PASSWORD, common_name: str = "Demo agreements signing") -> DemoKeys:
    """Write a root CA (root.pem) and a signing certificate with its key (signer.p12) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dates.now() - dt.timedelta(minutes=5)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name(f"{common_name} root CA")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # pyHanko's default check wants digital signature and non-repudiation (content commitment).
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    root_path = folder / "root.pem"
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    bundle = pkcs12.serialize_key_and_certificates(
        b"signer",
        key,
        cert,
        [root],
        serialization.BestAvailableEncryption(password.encode()),
    )
    pkcs12_path = folder / "signer.p12"
    pkcs12_path.write_bytes(bundle)
    pkcs12_path.chmod(0o600)
    return DemoKeys(root_path, pkcs12_path, password)


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def ensure_demo_keys(instance_path: str | Path) -> None:
    """Generate the demo CA and signing certificate under instance/signing/ if they are not there yet."""
    folder = Path(instance_path) / "signing"
    if (folder / "root.pem").exists() and (folder / "signer.p12").exists():
        return
    generate(folder)


_SIGNERS: dict[tuple[Any, ...], Any] = {}


def signer_from_config(config: Any) -> Any:
    """A pyHanko SimpleSigner from PKCS#12 or PEM key + certificate (+ chain) settings, loaded once per file."""
    names = ("SIGNING_PKCS12_PATH", "SIGNING_KEY_PATH", "SIGNING_CERT_PATH", "SIGNING_CHAIN_PATH")
    paths = [config.get(name) for name in names]
    # Decrypting the key costs a key derivation: keep the signer until a file or password changes.
    cache_key = (*paths, config.get("SIGNING_PKCS12_PASSWORD"), *(_mtime(path) for path in paths))
    if cache_key not in _SIGNERS:
        _SIGNERS.clear()
        _SIGNERS[cache_key] = _load_signer(config)
    return _SIGNERS[cache_key]


def _mtime(path: str | None) -> float | None:
    try:
        return Path(path).stat().st_mtime if path else None
    except OSError:
        return None


def _load_signer(config: Any) -> Any:
    key_path, cert_path = config.get("SIGNING_KEY_PATH"), config.get("SIGNING_CERT_PATH")
    password = config.get("SIGNING_PKCS12_PASSWORD")
    passphrase = password.encode() if password else None
    if key_path and cert_path:
        chain = [config["SIGNING_CHAIN_PATH"]] if config.get("SIGNING_CHAIN_PATH") else []
        signer = signers.SimpleSigner.load(key_path, cert_path, ca_chain_files=chain, key_passphrase=passphrase)  # type: ignore[no-untyped-call]
    else:
        signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
            config["SIGNING_PKCS12_PATH"], passphrase=passphrase
        )
    if signer is None:
        raise RuntimeError("the signing key could not be loaded: check PORTAL_SIGNING_* settings")
    return signer


def trust_root(config: Any) -> Any:
    """The vendor's root certificate (asn1crypto), against which every agreement is validated."""
    return load_cert_from_pemder(config["SIGNING_TRUST_ROOT_PATH"])  # type: ignore[no-untyped-call]


def timestamp_roots(config: Any) -> list[Any]:
    """The roots a timestamp authority's tokens chain to (TIMESTAMP_TRUST_ROOT_PATH), if one is configured."""
    path = config.get("TIMESTAMP_TRUST_ROOT_PATH")
    return list(load_certs_from_pemder([path])) if path else []  # type: ignore[no-untyped-call]
