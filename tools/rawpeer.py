"""A bare WHEP viewer for robustness tools and tests: ICE checks built here (RFC 8445 §7.1.2,
RFC 8489), DTLS by OpenSSL (pyOpenSSL), SRTP by libsrtp (pylibsrtp). It does exactly the steps it
is told to, one at a time, so that a test can stop after any of them (an abandoned handshake) or
repeat one (a flood) — which a full stack like aiortc will not do. Synchronous; loopback only.
"""
import datetime
import hashlib
import hmac
import json
import os
import secrets
import socket
import struct
import time
import urllib.error
import urllib.request
import zlib

import pylibsrtp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from OpenSSL import SSL

MAGIC = 0x2112A442
BINDING_REQUEST, BINDING_SUCCESS = 0x0001, 0x0101


def attribute(kind, value):
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def binding_request(username, key, use_candidate=False, corrupt_length=False, transaction=None):
    """An ICE connectivity check with MESSAGE-INTEGRITY and FINGERPRINT (RFC 8489 §14.5, §14.7)."""
    transaction = transaction or os.urandom(12)
    body = b"" if username is None else attribute(0x0006, username.encode())
    body += attribute(0x0024, struct.pack("!I", 1853824767)) + attribute(0x802A, os.urandom(8))
    if use_candidate:
        body += attribute(0x0025, b"")
    header = lambda extra: struct.pack("!HHI", BINDING_REQUEST, len(body) + extra, MAGIC) + transaction
    integrity = hmac.new(key.encode(), header(24) + body, hashlib.sha1).digest()
    body += attribute(0x0008, integrity)
    crc = zlib.crc32(header(8) + body) ^ 0x5354554E
    message = header(8) + body + attribute(0x8028, struct.pack("!I", crc & 0xFFFFFFFF))
    if corrupt_length:  # the first attribute claims to run past the end of the message
        message = message[:20] + struct.pack("!HH", 0x0006, 0xFFF0) + message[24:]
    return message


def credentials(sdp):
    values = dict(line[2:].split(":", 1) for line in sdp.splitlines() if line.startswith(("a=ice-ufrag", "a=ice-pwd")))
    return values["ice-ufrag"], values["ice-pwd"]


def http(method, url, body=None, content_type=None, timeout=5):
    request = urllib.request.Request(url, data=body, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, dict(response.headers), response.read()


def status(base):
    return json.loads(http("GET", base + "/api/status")[2])


class Certificate:
    """A self-signed ECDSA P-256 certificate, as browsers make for WebRTC."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rawpeer")])
        now = time.time()
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(datetime.datetime.fromtimestamp(now - 86400))
                     .not_valid_after(datetime.datetime.fromtimestamp(now + 86400 * 30))
                     .sign(self.key, hashes.SHA256()))
        digest = self.cert.fingerprint(hashes.SHA256())
        self.fingerprint = ":".join(f"{b:02X}" for b in digest)


def dtls_client(certificate):
    context = SSL.Context(SSL.DTLS_METHOD)
    context.use_certificate(certificate.cert)
    context.use_privatekey(certificate.key)
    context.set_tlsext_use_srtp(b"SRTP_AES128_CM_SHA1_80")
    context.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda *_: True)  # RawPeer.handshake checks it
    connection = SSL.Connection(context, None)
    connection.set_connect_state()
    return connection


def client_hello(certificate):
    """A fresh ClientHello flight, not sent."""
    connection = dtls_client(certificate)
    try:
        connection.do_handshake()
    except SSL.WantReadError:
        pass
    return connection.bio_read(65536)


class RawPeer:
    def __init__(self, base, udp_port, certificate=None, host="127.0.0.1"):
        self.base = base
        self.target = (host, udp_port)
        self.certificate = certificate or Certificate()
        self.ufrag, self.pwd = secrets.token_hex(4), secrets.token_hex(12)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.location = self.answer = self.conn = self.srtp = None

    def offer(self):
        media = []
        for mid, (kind, pt, rtpmap) in enumerate([("video", 97, "VP8/90000"), ("audio", 111, "opus/48000/2")]):
            media += [f"m={kind} 9 UDP/TLS/RTP/SAVPF {pt}", "c=IN IP4 0.0.0.0", "a=recvonly", f"a=mid:{mid}", "a=rtcp-mux",
                      f"a=rtpmap:{pt} {rtpmap}", f"a=ice-ufrag:{self.ufrag}", f"a=ice-pwd:{self.pwd}",
                      f"a=fingerprint:sha-256 {self.certificate.fingerprint}", "a=setup:actpass"]
            if kind == "video":
                media += [f"a=rtcp-fb:{pt} nack", f"a=rtcp-fb:{pt} nack pli"]
        session = ["v=0", f"o=- {secrets.randbelow(2**31)} 1 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=group:BUNDLE 0 1"]
        return "\r\n".join(session + media) + "\r\n"

    def post(self):
        """POST /whep; returns the HTTP status (201, or the error's)."""
        try:
            code, headers, body = http("POST", self.base + "/whep", self.offer().encode(), "application/sdp")
        except urllib.error.HTTPError as error:
            return error.code
        self.location, self.answer = headers["Location"], body.decode()
        return code

    def check(self, nominate=True, timeout=1.0):
        """One authenticated connectivity check; True when the agent answered it with success."""
        remote_ufrag, remote_pwd = credentials(self.answer)
        transaction = os.urandom(12)
        self.sock.sendto(binding_request(f"{remote_ufrag}:{self.ufrag}", remote_pwd, nominate, transaction=transaction), self.target)
        reply = self._receive(timeout, lambda d: len(d) >= 20 and d[8:20] == transaction)
        return reply is not None and struct.unpack("!H", reply[:2])[0] == BINDING_SUCCESS

    def hello(self):
        """Starts the DTLS handshake as client (the agent answers setup:passive); returns the flight sent."""
        self.conn = dtls_client(self.certificate)
        self._step()
        return self._flush()

    def handshake(self, timeout=3.0):
        """Completes the DTLS handshake and sets up SRTP; True when the agent's certificate is the one its answer names."""
        if self.conn is None:
            self.hello()
        deadline = time.time() + timeout
        while not self._step():
            self._flush()
            datagram = self._receive(0.1, lambda d: 20 <= d[0] <= 63)
            if datagram:
                self.conn.bio_write(datagram)
            elif time.time() > deadline:
                return False
            else:
                self.conn.DTLSv1_handle_timeout()
        self._flush()
        named = next(line.split()[1] for line in self.answer.splitlines() if line.startswith("a=fingerprint:sha-256"))
        presented = self.conn.get_peer_certificate().to_cryptography().fingerprint(hashes.SHA256())
        material = self.conn.export_keying_material(b"EXTRACTOR-dtls_srtp", 60)
        server_key = material[16:32] + material[46:60]
        self.srtp = pylibsrtp.Session(pylibsrtp.Policy(key=server_key, ssrc_type=pylibsrtp.Policy.SSRC_ANY_INBOUND,
                                                       srtp_profile=pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80))
        return named == ":".join(f"{b:02X}" for b in presented)

    def media(self, packets=10, timeout=3.0):
        """SRTP packets received and authenticated, up to `packets`, within `timeout`."""
        received, deadline = 0, time.time() + timeout
        while received < packets and time.time() < deadline:
            datagram = self._receive(deadline - time.time(), lambda d: 128 <= d[0] <= 191 and not 192 <= d[1] <= 223)
            if datagram:
                try:
                    self.srtp.unprotect(datagram)
                    received += 1
                except pylibsrtp.Error:
                    pass
        return received

    def send(self, datagram):
        self.sock.sendto(datagram, self.target)

    def delete(self):
        return http("DELETE", self.base + self.location)[0]

    def close(self):
        self.sock.close()

    def _step(self):
        try:
            self.conn.do_handshake()
            return True
        except SSL.WantReadError:
            return False

    def _flush(self):
        """Sends what OpenSSL wrote; returns it (one datagram per flight: a loopback MTU holds it)."""
        try:
            flight = self.conn.bio_read(65536)
        except SSL.WantReadError:
            return b""
        self.sock.sendto(flight, self.target)
        return flight

    def _receive(self, timeout, wanted):
        """The next datagram that `wanted` accepts, or None after `timeout` seconds."""
        deadline = time.time() + timeout
        while (left := deadline - time.time()) > 0:
            self.sock.settimeout(left)
            try:
                datagram, _ = self.sock.recvfrom(4096)
            except socket.timeout:
                return None
            if wanted(datagram):
                return datagram
        return None
