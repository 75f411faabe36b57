"""Block every socket connection except loopback, and record each attempt.

conftest.py installs it for the whole test run; tests/test_network_guard.py installs it
in a fresh process that runs the app, the knowledge build and scoring, then reads the
log: any line there is an outside connection someone tried (even if it was swallowed).
"""

from __future__ import annotations

import ipaddress
import os
import socket

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class NetworkBlocked(RuntimeError):
    pass


def allowed(address: object) -> bool:
    if isinstance(address, str | bytes):  # AF_UNIX paths
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _record(what: str) -> None:
    log = os.environ.get("MOCKLOOP_NETGUARD_LOG")
    if log:
        with open(log, "a") as fh:
            fh.write(what + "\n")


def _connect(self: socket.socket, address: object) -> None:
    if not allowed(address):
        _record(f"connect {address!r}")
        raise NetworkBlocked(f"tried to connect to {address!r}: only loopback is allowed")
    return _real_connect(self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    if not allowed(address):
        _record(f"connect {address!r}")
        raise NetworkBlocked(f"tried to connect to {address!r}: only loopback is allowed")
    return _real_connect_ex(self, address)


def _getaddrinfo(host: object, *args: object, **kw: object) -> list:
    if host is not None and not allowed((host,)):
        _record(f"resolve {host!r}")
        raise NetworkBlocked(f"tried to resolve {host!r}: only loopback is allowed")
    return _real_getaddrinfo(host, *args, **kw)  # type: ignore[arg-type]


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo  # type: ignore[assignment]


def uninstall() -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo
