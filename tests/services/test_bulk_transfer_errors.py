"""services/bulk.py raises only services.errors types: transfer failures come out typed and say
whether a retry can help (`.retryable`), so the bulk model needs no `requests` exception."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ...services import bulk
from ...services.errors import NetworkError, QueryError, ServerError
from ..pure import PureCase


class _StatusHandler(BaseHTTPRequestHandler):
    """Answers the status named by the path (`/200`, `/503` …); a 200 GET gives two JSONL lines."""

    def _answer(self):
        status = int(self.path.strip("/"))
        body = (
            b'{"id": "gid://shopify/Product/1"}\n\n{"id": "gid://shopify/Product/2"}\n'
            if status == 200
            else b""
        )
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


class TestBulkTransferErrors(PureCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), _StatusHandler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}"
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            cls.closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}"

    def target(self, url):
        return {"url": url, "parameters": [{"name": "key", "value": "tmp/1/vars.jsonl"}]}

    def test_result_file_is_streamed(self):
        self.assertEqual(len(list(bulk.stream_lines(f"{self.url}/200", timeout=5))), 2)

    def test_result_file_failures_are_retryable(self):
        for url, error_type, status in (
            (f"{self.url}/503", ServerError, 503),
            (f"{self.url}/403", ServerError, 403),  # as before: the next poll tries the file again
            (f"{self.closed_url}/200", NetworkError, None),
        ):
            with self.subTest(url=url), self.assertRaises(error_type) as caught:
                list(bulk.stream_lines(url, timeout=5))
            self.assertTrue(caught.exception.retryable)
            self.assertEqual(caught.exception.http_status, status)

    def test_upload(self):
        self.assertEqual(
            bulk.upload_staged(self.target(f"{self.url}/201"), "v.jsonl", b"{}\n", 5), "tmp/1/vars.jsonl"
        )
        with self.assertRaises(QueryError) as refused:
            bulk.upload_staged(self.target(f"{self.url}/400"), "v.jsonl", b"{}\n", 5)
        self.assertFalse(refused.exception.retryable)
        with self.assertRaises(ServerError) as failed:
            bulk.upload_staged(self.target(f"{self.url}/502"), "v.jsonl", b"{}\n", 5)
        self.assertTrue(failed.exception.retryable)
        with self.assertRaises(NetworkError) as unreachable:
            bulk.upload_staged(self.target(f"{self.closed_url}/201"), "v.jsonl", b"{}\n", 5)
        self.assertTrue(unreachable.exception.retryable)
        self.assertNotIn("vars", str(unreachable.exception), "no URL or key in the message")
