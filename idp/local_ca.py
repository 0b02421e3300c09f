"""HTTPS for `mock-ohid serve --https`: a local certificate authority made once in the
keys folder, and a server certificate it signs for localhost and the issuer's host.

The CA is name-constrained (RFC 5280 §4.2.1.10) to the names it signs for, so a
developer who trusts it trusts nothing else: it cannot vouch for any other site
even if its key leaks. Its key and the server's are written readable by the owner only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .clock import real_now

CA_NAME = "mock-ohid local CA"
# Names every local CA covers; the issuer's host is added when it is another one.
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
CA_DAYS = 3650
# Apple platforms refuse server certificates valid for more than 825 days, and
# browsers cap publicly trusted ones at 398: stay under both, renew when near the end.
SERVER_DAYS = 397
RENEW_DAYS = 30


@dataclass(frozen=True)
class ServerCertificate:
    """The files a TLS server needs, and the CA a client must trust."""

    cert: Path
    key: Path
    ca: Path
    names: tuple[str, ...]
    made_ca: bool


def tls_folder(keys_dir: Path) -> Path:
    return keys_dir / "tls"


def ca_path(keys_dir: Path) -> Path:
    """Where the local CA's certificate is (it may not exist yet)."""
    return tls_folder(keys_dir) / "ca.pem"


def names_for(issuer_host: str | None) -> tuple[str, ...]:
    """The names the certificate is for: the local ones plus the issuer's host."""
    names = list(LOCAL_NAMES)
    if issuer_host and issuer_host.strip("[]") not in names:
        names.append(issuer_host.strip("[]"))
    return tuple(names)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _subtree(name: str) -> x509.GeneralName:
    """A name constraint permitting exactly this address, or this name and its subdomains."""
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return x509.DNSName(name)
    return x509.IPAddress(ipaddress.ip_network(f"{address}/{address.max_prefixlen}"))


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _now() -> dt.datetime:
    # Certificates carry real time: the QA clock moves what the mock enforces, not X.509.
    return real_now()


def _make_ca(names: tuple[str, ...]) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mock-ohid (development only)"),
        ]
    )
    now = _now()
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.NameConstraints(
                permitted_subtrees=[_subtree(name) for name in names], excluded_subtrees=None
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _make_server(
    names: tuple[str, ...], ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(
            x509.SubjectAlternativeName([_general_name(name) for name in names]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _ca_covers(cert: x509.Certificate, names: tuple[str, ...]) -> bool:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return False
    permitted = set(constraints.permitted_subtrees or [])
    return all(_subtree(name) in permitted for name in names)


def _server_fits(path: Path, names: tuple[str, ...], ca_cert: x509.Certificate) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    return (
        cert.issuer == ca_cert.subject
        and set(alt) == {_general_name(name) for name in names}
        and cert.not_valid_after_utc - _now() > dt.timedelta(days=RENEW_DAYS)
    )


def _load_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
        key = serialization.load_pem_private_key((folder / "ca-key.pem").read_bytes(), None)
    except (OSError, ValueError):
        return None
    return cert, key  # type: ignore[return-value]


def _publish_ca(folder: Path, names: tuple[str, ...]) -> None:
    """Write a new CA into ``folder``; of two servers starting together one CA wins."""
    cert, key = _make_ca(names)
    staging = folder.parent / f".tls-{secrets.token_hex(6)}"
    staging.mkdir(mode=0o700)
    _write_private(staging / "ca-key.pem", _pem_key(key))
    (staging / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if folder.exists():
        old = folder.parent / f".tls-old-{secrets.token_hex(6)}"
        with contextlib.suppress(FileNotFoundError):
            folder.rename(old)
            shutil.rmtree(old, ignore_errors=True)
    try:
        staging.rename(folder)
    except OSError:
        # Another server published its CA first: use that one.
        shutil.rmtree(staging, ignore_errors=True)


def ensure_server_certificate(keys_dir: Path, issuer_host: str | None) -> ServerCertificate:
    """The local CA and a server certificate for the local names and ``issuer_host``,
    made when missing, when the CA does not cover the names, or when the certificate
    nears its end."""
    names = names_for(issuer_host)
    folder = tls_folder(keys_dir)
    keys_dir.mkdir(parents=True, exist_ok=True)
    loaded = _load_ca(folder)
    made_ca = loaded is None or not _ca_covers(loaded[0], names)
    if made_ca:
        _publish_ca(folder, names)
        loaded = _load_ca(folder)
        if loaded is None:
            raise OSError(f"cannot read the local CA just written in {folder}")
    ca_cert, ca_key = loaded
    cert_path, key_path = folder / "server.pem", folder / "server-key.pem"
    if made_ca or not key_path.exists() or not _server_fits(cert_path, names, ca_cert):
        cert, key = _make_server(names, ca_cert, ca_key)
        temp = folder / f".server-{secrets.token_hex(6)}"
        _write_private(temp.with_suffix(".key"), _pem_key(key))
        temp.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        # Key first, then the certificate: a reader that sees the new certificate sees its key.
        os.replace(temp.with_suffix(".key"), key_path)
        os.replace(temp.with_suffix(".pem"), cert_path)
    return ServerCertificate(cert_path, key_path, folder / "ca.pem", names, made_ca)


def trust_instructions(ca: Path) -> list[str]:
    """How to trust the CA on each platform and in each runtime, one line each."""
    return [
        f"  Linux (Debian/Ubuntu): sudo cp {ca} /usr/local/share/ca-certificates/mock-ohid.crt"
        " && sudo update-ca-certificates",
        f"  Linux (Fedora/RHEL):   sudo cp {ca} /etc/pki/ca-trust/source/anchors/mock-ohid.pem"
        " && sudo update-ca-trust",
        f"  Chrome/Firefox, Linux: certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n mock-ohid -i {ca}",
        "  macOS:                 sudo security add-trusted-cert -d -r trustRoot"
        f" -k /Library/Keychains/System.keychain {ca}",
        f"  Windows:               certutil -user -addstore Root {ca}",
        f"  Python (requests):     REQUESTS_CA_BUNDLE={ca}  (ssl, httpx: SSL_CERT_FILE={ca})",
        f"  Node.js:               NODE_EXTRA_CA_CERTS={ca}",
        f"  Java:                  keytool -importcert -noprompt -alias mock-ohid -file {ca}"
        " -cacerts -storepass changeit",
    ]
