"""The local CA of `serve --https`: made once, name-constrained, remade only when the
issuer's host is one it does not cover."""

from __future__ import annotations

import ipaddress
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from idp.local_ca import ca_path, ensure_server_certificate


def verify(made, name):
    """Verify the server certificate for ``name`` as a TLS client trusting only the CA."""
    store = Store([x509.load_pem_x509_certificate(made.ca.read_bytes())])
    try:
        subject = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        subject = x509.DNSName(name)
    verifier = PolicyBuilder().store(store).build_server_verifier(subject)
    return verifier.verify(x509.load_pem_x509_certificate(made.cert.read_bytes()), [])


def test_made_once_and_reused(tmp_path):
    first = ensure_server_certificate(tmp_path, "localhost")
    again = ensure_server_certificate(tmp_path, None)
    assert first.made_ca and not again.made_ca
    assert first.ca == again.ca == ca_path(tmp_path)
    for name in ("localhost", "127.0.0.1", "::1"):
        verify(again, name)
    assert stat.S_IMODE((tmp_path / "tls" / "ca-key.pem").stat().st_mode) == 0o600


def test_another_issuer_host_gets_a_ca_covering_it(tmp_path):
    ensure_server_certificate(tmp_path, None)
    made = ensure_server_certificate(tmp_path, "mock-ohid")
    assert made.made_ca and made.names == ("localhost", "127.0.0.1", "::1", "mock-ohid")
    verify(made, "mock-ohid")
    assert not ensure_server_certificate(tmp_path, "mock-ohid").made_ca


def test_the_ca_cannot_vouch_for_any_other_name(tmp_path):
    made = ensure_server_certificate(tmp_path, None)
    folder = tmp_path / "tls"
    ca_cert = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((folder / "ca-key.pem").read_bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    # What a stolen CA key could sign: a certificate for a real site.
    forged = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "bank.example")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ca_cert.not_valid_before_utc)
        .not_valid_after(ca_cert.not_valid_after_utc)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("bank.example")]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    store = Store([x509.load_pem_x509_certificate(made.ca.read_bytes())])
    verifier = PolicyBuilder().store(store).build_server_verifier(x509.DNSName("bank.example"))
    with pytest.raises(VerificationError, match="name constraint"):
        verifier.verify(forged, [])
