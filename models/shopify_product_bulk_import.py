"""First import of a large catalog: the result of the "product_import" bulk query, product by product
through the same import as the poll (started by the import wizard or the setup task, see
`shopify.shop._shopify_start_product_bulk_import`)."""

import logging

from odoo import _, models
from odoo.exceptions import UserError

from ..services.errors import ShopifyError
from ..services.mapping import products as mapping

_logger = logging.getLogger(__name__)


class ShopifyBulkOperation(models.Model):
    _inherit = "shopify.bulk.operation"

    def _bulk_process_product_import(self, batch):
        """First import of a large catalog: each product of the bulk result (variants joined as
        children) goes through the same import as the poll, in its own savepoint; a product that
        fails or is ambiguous is recorded as a line error and the others carry on."""
        shop = self.shop_id
        digits = shop._shopify_currency_digits()
        Binding = self.env["shopify.product.binding"]
        rows = 0
        for obj in batch:
            children = obj.get("__children") or {}
            rows += 1 + sum(len(kids) for kids in children.values())
            node = dict(obj, variants={"nodes": children.get("ProductVariant", [])})
            try:
                product = mapping.product_from_graphql(node, digits)
                with self.env.cr.savepoint():
                    result = Binding._shopify_import(shop, product)
                problem = result["message"] if result["action"] == "ambiguous" else None
            except (ShopifyError, UserError, mapping.MappingError) as error:
                _logger.warning(
                    "Shopify shop %s: product %s not imported (%s)",
                    shop.id,
                    obj.get("id"),
                    type(error).__name__,
                )
                problem = str(error)
            if problem:
                self._record_product_import_problem(obj, problem)
        return rows

    def _record_product_import_problem(self, obj, problem):
        self.env["shopify.bulk.line.error"].create(
            {
                "operation_id": self.id,
                "line_number": -1,  # a query result has no line numbers; the product is named instead
                "message": _(
                    "%(title)s (%(gid)s): %(problem)s",
                    title=obj.get("title"),
                    gid=obj.get("id"),
                    problem=problem,
                ),
            }
        )
        self.line_error_count += 1
