"""A bulk result streams in flat memory: the parser reads at most one batch (plus the line that closes
it) ahead of what it hands over, and its working set does not grow with the file (500k-variant
catalogs). Measured on what the parser holds and allocates, not on time."""

import json
import tracemalloc

from ...services import bulk
from ..pure import PureCase

BATCH = 500


def catalog_lines(products, variants=3, read=None):
    """JSONL lines of `products` products with `variants` variants each, as Shopify writes them;
    `read` counts the lines taken from it."""
    for number in range(1, products + 1):
        product = {"id": f"gid://shopify/Product/{number}", "title": f"Product {number}", "tags": []}
        if read is not None:
            read[0] += 1
        yield json.dumps(product).encode()
        for index in range(variants):
            variant = {
                "id": f"gid://shopify/ProductVariant/{number * variants + index}",
                "sku": f"P{number}-{index}",
                "price": "19.90",
                "__parentId": product["id"],
            }
            if read is not None:
                read[0] += 1
            yield json.dumps(variant).encode()


def peak_while_streaming(products):
    """Peak bytes allocated while every batch of the catalog is parsed, joined and let go."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        roots = 0
        for batch in bulk.joined_batches(bulk.parse_lines(catalog_lines(products)), BATCH):
            roots += len(batch)
            del batch
        return roots, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


class TestBulkStreaming(PureCase):
    def test_the_parser_reads_one_batch_ahead_at_most(self):
        read = [0]
        handed = 0
        for batch in bulk.joined_batches(bulk.parse_lines(catalog_lines(3000, read=read)), BATCH):
            handed += sum(map(bulk.object_count, batch))
            # Lines taken from the file but not yet handed over: the next batch's first root only.
            self.assertLessEqual(read[0] - handed, 1)
            self.assertEqual(len(batch), BATCH)
        self.assertEqual(handed, read[0])
        self.assertEqual(read[0], 3000 * 4)

    def test_the_working_set_does_not_grow_with_the_file(self):
        small_roots, small_peak = peak_while_streaming(1_000)  # 4,000 rows
        large_roots, large_peak = peak_while_streaming(12_000)  # 48,000 rows: 12 times more
        self.assertEqual((small_roots, large_roots), (1_000, 12_000))
        # Flat: the same few batches in memory whatever the length (a growing parser would hold 12×).
        self.assertLess(large_peak, small_peak * 1.5)
        # And that working set is about one batch of 500 products with their variants, not the file.
        self.assertLess(large_peak, 8 * 1024 * 1024)
