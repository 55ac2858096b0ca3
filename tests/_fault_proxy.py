"""A fault-injecting HTTP proxy in front of a real server, for the endpoint retry tests.

Each request takes the next fault from the plan: "drop" (close the connection unanswered),
"429" (Too Many Requests with Retry-After), "500", "slow" (answer nothing for `slow_s`, so the
client's timeout fires; the request never reaches the server), or None (forward). When the plan is empty, every request is
forwarded. `received` counts requests that reached the proxy, `forwarded` those that reached the
server (what a paid API would bill), `arrivals` their monotonic times.
"""
from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class FaultProxy:
    def __init__(self, upstream: str, plan=(), retry_after: int = 1, slow_s: float = 3.0):
        target = urlsplit(upstream)
        self.host, self.port, self.prefix = target.hostname, target.port, target.path.rstrip("/")
        self.plan, self.retry_after, self.slow_s = list(plan), retry_after, slow_s
        self.received = self.forwarded = 0
        self.arrivals: list[float] = []
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def __enter__(self) -> "FaultProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_fault(self, body: bytes):
        with self.lock:
            self.received += 1
            self.arrivals.append(time.monotonic())
            self.bodies.append(body)
            return self.plan.pop(0) if self.plan else None

    def forward(self, method: str, path: str, headers: dict, body: bytes):
        with self.lock:
            self.forwarded += 1
        conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
        try:
            conn.request(method, path, body=body, headers=headers)
            reply = conn.getresponse()
            return reply.status, reply.getheaders(), reply.read()
        finally:
            conn.close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):   # quiet
                pass

            def _serve(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fault = proxy.next_fault(body)
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault in ("429", "500"):
                    self._reply(int(fault), [("Retry-After", str(proxy.retry_after))] if fault == "429" else [],
                                b'{"error": {"message": "injected"}}')
                    return
                if fault == "slow":                # longer than the client waits: it has gone
                    time.sleep(proxy.slow_s)
                    self.close_connection = True
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                status, reply_headers, data = proxy.forward(self.command, self.path, headers, body)
                keep = [(k, v) for k, v in reply_headers
                        if k.lower() not in ("content-length", "transfer-encoding", "connection")]
                self._reply(status, keep, data)

            def _reply(self, status: int, headers, data: bytes):
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                if not any(k.lower() == "content-type" for k, _ in headers):
                    self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:           # the client gave up (its timeout): nothing to tell it
                    pass

            do_GET = do_POST = _serve

        return Handler
