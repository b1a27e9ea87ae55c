#!/usr/bin/env python3
"""A minimal graphql-transport-ws client (standard library only): runs one subscription and
prints each event as a JSON line until the server completes it.

    subscribe.py FILE.graphql '{"id": "..."}'     (BASE_URL and TOKEN from the environment)
"""
import base64, json, os, socket, struct, sys, urllib.parse


def send(sock, text):
    payload = text.encode()
    header = bytearray([0x81])
    mask = os.urandom(4)
    if len(payload) < 126:
        header.append(0x80 | len(payload))
    elif len(payload) < 65536:
        header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
    else:
        header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
    sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("socket closed")
        data += chunk
    return data


def receive(sock):
    first, second = read_exact(sock, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack(">H", read_exact(sock, 2))[0]
    elif length == 127:
        length = struct.unpack(">Q", read_exact(sock, 8))[0]
    payload = read_exact(sock, length)
    opcode = first & 0x0F
    if opcode == 0x8:
        code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
        raise ConnectionError(f"closed by server: {code} {payload[2:].decode(errors='replace')}")
    if opcode == 0x9:  # ping
        return None
    return json.loads(payload.decode())


def main():
    url = urllib.parse.urlparse(os.environ.get("BASE_URL", "http://127.0.0.1:8080"))
    sock = socket.create_connection((url.hostname, url.port or 80), timeout=120)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /graphql HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    if b" 101 " not in response.split(b"\r\n", 1)[0]:
        sys.exit(f"WebSocket upgrade refused: {response.decode(errors='replace')}")
    send(sock, json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer " + os.environ.get("TOKEN", "")}}))
    query = open(sys.argv[1], encoding="utf-8").read()
    variables = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    while True:
        message = receive(sock)
        if message is None:
            continue
        if message["type"] == "connection_ack":
            send(sock, json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
        elif message["type"] == "next":
            print(json.dumps(message["payload"]), flush=True)
        elif message["type"] == "error":
            sys.exit(f"subscription error: {message['payload']}")
        elif message["type"] == "complete":
            return
        elif message["type"] == "ping":
            send(sock, json.dumps({"type": "pong"}))


main()
