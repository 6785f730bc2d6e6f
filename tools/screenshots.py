"""Take the README's screenshots from a running demo (`make demo`) with headless Chromium.

    python tools/screenshots.py [--url http://127.0.0.1:8069] [--db shopify_sync_demo] [--out doc/img]

Logs in through JSON-RPC, hands the session cookie to Chromium over the DevTools protocol, opens the
demo shop's Setup tab and its dashboard, and saves `shop-setup.png` and `dashboard.png`.
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import websocket

DEMO_DOMAIN = "demo-shop.myshopify.com"


class Browser:
    """Just enough of the DevTools protocol: one page, navigate, evaluate, screenshot."""

    def __init__(self, width=1400, height=1500):
        self.profile = tempfile.mkdtemp(prefix="shopify-shots-")
        binary = shutil.which("chromium") or shutil.which("google-chrome") or shutil.which("chromium-browser")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _ in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        pages = requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
        page = next(target for target in pages if target["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return
            time.sleep(0.3)
        location = self.evaluate("window.location.href")
        raise TimeoutError(f"{selector} did not appear on {location}")

    def open(self, url, selector):
        self.call("Page.navigate", url=url)
        self.wait_for(selector)
        time.sleep(1.5)  # let the web client finish rendering (fonts, lazy widgets)

    def screenshot(self, path):
        # Transient toasts (e.g. the bus's "page is out of date" after the previous page's websocket
        # closed) are not part of the screen being documented.
        self.evaluate("document.querySelectorAll('.o_notification').forEach((toast) => toast.remove())")
        data = self.call("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))
        print(f"saved {path}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(url, db, user, password):
    session = requests.Session()
    response = session.post(
        f"{url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": password}},
        timeout=30,
    )
    response.raise_for_status()
    return session


def demo_shop_id(session, url):
    response = session.post(
        f"{url}/web/dataset/call_kw/shopify.shop/search_read",
        json={
            "jsonrpc": "2.0",
            "params": {
                "model": "shopify.shop",
                "method": "search_read",
                "args": [[["shop_domain", "=", DEMO_DOMAIN]], ["id"]],
                "kwargs": {},
            },
        },
        timeout=30,
    )
    return response.json()["result"][0]["id"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="shopify_sync_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "doc" / "img"))
    args = parser.parse_args()
    url = args.url.rstrip("/")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    session = login(url, args.db, args.login, args.password)
    shop_id = demo_shop_id(session, url)
    browser = Browser()
    try:
        browser.call("Page.enable")
        browser.call("Network.enable")
        browser.call(
            "Network.setCookie", name="session_id", value=session.cookies["session_id"], url=f"{url}/"
        )
        browser.open(
            f"{url}/odoo/action-shopify_sync.action_shopify_shop/{shop_id}", ".o_form_view .o_notebook"
        )
        browser.evaluate("document.querySelector('.o_notebook a.nav-link[name=\"setup\"]').click()")
        browser.wait_for(".o_shopify_setup")
        browser.evaluate("document.querySelector('.o_notebook').scrollIntoView()")
        time.sleep(1)
        browser.screenshot(out / "shop-setup.png")
        browser.open(
            f"{url}/odoo/action-shopify_sync.action_shopify_dashboard/{shop_id}",
            ".o_form_view .o_shopify_dash_charts canvas",  # the inline charts are drawn
        )
        browser.screenshot(out / "dashboard.png")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
