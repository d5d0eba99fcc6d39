"""The local org's own certificate authority and server certificate.

simple-salesforce always builds https:// URLs and CumulusCI strips the scheme from the instance
URL, so the local org must speak TLS. It makes a private CA once per machine folder and signs a
certificate for 127.0.0.1 and localhost; clients trust it through a CA bundle (certifi's roots
plus this CA), so verification stays on and other hosts still verify as before."""
from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 825  # the longest server-certificate life clients accept


@dataclass(frozen=True)
class TlsFiles:
    ca_certificate: Path
    certificate: Path
    private_key: Path
    ca_bundle: Path  # certifi's roots plus the local CA: point REQUESTS_CA_BUNDLE here


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "eazybe-salesforce local org"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _make_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("eazybe-salesforce local CA"))
        .issuer_name(_name("eazybe-salesforce local CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False, data_encipherment=False,
                          key_agreement=False, encipher_only=False, decipher_only=False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write_private(folder / "ca.key", _pem_key(key))
    (folder / "ca.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, key


def _load_ca(folder: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    certificate = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
    key = serialization.load_pem_private_key((folder / "ca.key").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return certificate, key


def _make_server_certificate(folder: Path, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.IPAddress(ipaddress.ip_address("::1")),
            ]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(folder / "server.key", _pem_key(key))
    (folder / "server.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def ensure_tls(folder: Path) -> TlsFiles:
    """The CA, server certificate and CA bundle under `folder`, made on first use."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if (folder / "ca.pem").exists() and (folder / "ca.key").exists():
        ca, ca_key = _load_ca(folder)
    else:
        ca, ca_key = _make_ca(folder)
    if not (folder / "server.pem").exists() or not (folder / "server.key").exists():
        _make_server_certificate(folder, ca, ca_key)
    bundle = folder / "ca-bundle.pem"
    local_ca = (folder / "ca.pem").read_bytes()
    roots = Path(certifi.where()).read_bytes()
    if not bundle.exists() or bundle.read_bytes() != roots + b"\n" + local_ca:
        bundle.write_bytes(roots + b"\n" + local_ca)
    return TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key", bundle)
