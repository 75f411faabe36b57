"""The socket guard: tests may reach loopback and nothing else."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.conftest import NetworkBlocked


def test_outside_address_is_blocked_before_any_packet():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # TEST-NET-1 (RFC 5737): the guard raises before connect() reaches the kernel
        with pytest.raises(NetworkBlocked, match="only loopback"):
            s.connect(("192.0.2.1", 443))
    finally:
        s.close()


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    t = threading.Thread(target=lambda: server.accept()[0].close())
    t.start()
    client = socket.create_connection(("127.0.0.1", port), timeout=2)
    client.close()
    t.join(2)
    server.close()
