"""`/shopify/webhook/naive`: our webhook endpoint, then the import in the same request (the seed's way).

Only the orders benchmark loads this module, as a server-wide module, to measure what Shopify would wait
for if the handler processed the order before answering. The delivery goes through the real endpoint
(checks, store, queue); then its job runs right away instead of in the queue cron.
"""

from odoo import http
from odoo.addons.shopify_sync.controllers.webhook import ShopifyWebhookController
from odoo.http import request


class NaiveWebhookController(http.Controller):
    @http.route(
        "/shopify/webhook/naive", type="http", auth="public", methods=["POST"], csrf=False, save_session=False
    )
    def shopify_webhook_naive(self, **params):
        response = ShopifyWebhookController().shopify_webhook(**params)
        if response.status_code != 200:
            return response
        env = request.env(su=True)
        webhook_id = request.httprequest.headers.get("X-Shopify-Webhook-Id", "").strip()
        jobs = env["shopify.queue.job"].search(
            [("webhook_event_id.webhook_id", "=", webhook_id), ("state", "=", "pending")]
        )
        for job in jobs:
            job.write({"state": "running", "attempts": job.attempts + 1})
            job._run()
            if job.state != "done":
                return request.make_json_response({"job": job.id, "state": job.state}, status=500)
        return response
