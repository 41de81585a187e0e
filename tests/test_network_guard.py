"""Tests never reach the internet: a connection to anything but this machine fails."""

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_an_outside_address_is_refused_before_any_packet_leaves():
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("149.154.167.220", 443), timeout=1)  # api.telegram.org


def test_loopback_stays_allowed():
    server = socket.create_server(("127.0.0.1", 0))
    try:
        client = socket.create_connection(server.getsockname(), timeout=1)
        client.close()
    finally:
        server.close()
