"""Settings › Shopify: monitoring access and queue housekeeping."""

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    shopify_monitoring_token = fields.Char(
        string="Monitoring Token",
        config_parameter="shopify_sync.monitoring_token",
        help="Monitoring systems send it as `Authorization: Bearer <token>` to read /shopify/health and "
        "/shopify/metrics. Leave empty to allow logged-in Shopify users only.",
    )
    shopify_queue_retention_days = fields.Integer(
        string="Keep Finished Work (days)",
        config_parameter="shopify_sync.queue_retention_days",
        default=14,
        help="Finished jobs and processed webhook bodies older than this are deleted.",
    )
    shopify_queue_batch_size = fields.Integer(
        string="Queue Batch Size",
        config_parameter="shopify_sync.queue_batch_size",
        default=50,
        help="Jobs one run of the queue processor claims at a time.",
    )
    shopify_webhook_max_bytes = fields.Integer(
        string="Largest Webhook (bytes)",
        config_parameter="shopify_sync.webhook_max_bytes",
        default=5 * 1024 * 1024,
        help="Bigger webhook bodies are refused (413) without being read.",
    )
