"""A loopback server that answers like Anthropic in direct mode, for the per-request benchmark.

Run as `python -m bench.loopback`: it binds 127.0.0.1 on a free port, prints the port, and serves until
its standard input closes (so it never outlives the bench). Keep-alive (HTTP/1.1) and no Nagle delay:
otherwise each request would wait for a delayed ACK and the comparison would measure only that.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MESSAGE = json.dumps({
    "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
    "type": "message",
    "role": "assistant",
    "model": "claude-bench-1",
    "content": [{"type": "text", "text": "Hello! How can I help you today?"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 12, "output_tokens": 9, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
}).encode()


class AnthropicHandler(BaseHTTPRequestHandler):
    """POST /v1/messages answers a fixed Message; anything else is Anthropic's not_found_error."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        if self.path.split("?")[0] == "/v1/messages" and (self.headers.get("x-api-key") or self.headers.get("authorization")):
            self._send(200, MESSAGE)
        else:
            self._send(404, json.dumps({"type": "error", "error": {"type": "not_found_error", "message": self.path}}).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("request-id", "req_bench")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AnthropicHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # until the bench closes our stdin
    server.shutdown()


if __name__ == "__main__":
    main()
