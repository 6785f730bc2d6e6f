"""What the emulator answers of Shopify's schemas: every field our documents select has a resolver (so no
test of ours can pass on a made-up null), and `python -m emulator --coverage` reports, per API version, the
fields with and without one."""

import re
import subprocess
import sys
from pathlib import Path

import graphql

from odoo.tests import BaseCase

from ...emulator import executor  # noqa: F401  (registers every resolver)
from ...emulator.coverage import field_emulated, not_emulated_errors, report
from ...emulator.schema import available_versions, load_schema
from ...services import documents

REPO = Path(__file__).resolve().parents[2]


def selected_fields(schema, document):
    """{"Type.field"} of every field the document selects (fragments inlined by the loader)."""
    type_info = graphql.TypeInfo(schema)
    found = set()

    class Collect(graphql.Visitor):
        def enter_field(self, node, *_args):
            parent = type_info.get_parent_type()
            if parent is not None and not node.name.value.startswith("__"):
                found.add((parent, node.name.value))

    graphql.visit(document, graphql.TypeInfoVisitor(type_info, Collect()))
    return found


class TestEmulatorCoverage(BaseCase):
    def test_every_field_our_documents_select_is_emulated(self):
        versions = available_versions()
        self.assertTrue(versions, "no Admin API schema files")
        for version in versions:
            schema = load_schema(version)
            for name in documents.names():
                document = graphql.parse(documents.text(name))
                with self.subTest(version=version, document=name):
                    fields = selected_fields(schema, document)
                    self.assertTrue(fields)
                    missing = sorted(
                        f"{parent.name}.{field}"
                        for parent, field in fields
                        if not field_emulated(schema, parent, field)
                    )
                    self.assertEqual(missing, [], "fields our documents select need a resolver")
                    self.assertEqual(not_emulated_errors(schema, document), [])

    def test_report_lists_fields_with_and_without_a_resolver(self):
        schema = load_schema(available_versions()[-1])
        found = report(schema)
        roots, objects = found["roots"], found["objects"]
        for group in (roots, objects):
            self.assertFalse(set(group["emulated"]) & set(group["missing"]))
        root_fields = {
            f"{t.name}.{name}" for t in (schema.query_type, schema.mutation_type) for name in t.fields
        }
        self.assertEqual(set(roots["emulated"]) | set(roots["missing"]), root_fields)
        for name in (
            "QueryRoot.products",
            "QueryRoot.metafieldDefinition",
            "Mutation.productSet",
            "Mutation.inventoryActivate",
        ):
            self.assertIn(name, roots["emulated"])
        for name in (
            "Location.address",
            "Product.media",
            "ProductVariant.media",
            "Product.collections",
            "MediaImage.image",
            "LocationAddress.city",
            "MoneyBag.shopMoney",
            "ProductVariant.sku",  # a record attribute
        ):
            self.assertIn(name, objects["emulated"])
        self.assertIn("Product.feedback", objects["missing"])
        self.assertIn("Mutation.refundCreate", roots["missing"])
        # Connection types no emulated field returns are not counted as answered.
        self.assertIn("EventConnection.nodes", objects["missing"])

    def test_command_line_report(self):
        result = subprocess.run(
            [sys.executable, "-m", "emulator", "--coverage", "--summary"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        versions = available_versions()
        self.assertEqual(re.findall(r"^== Admin API (\S+)$", result.stdout, re.MULTILINE), versions)
        newest = report(load_schema(versions[-1]))
        emulated, missing = len(newest["roots"]["emulated"]), len(newest["roots"]["missing"])
        self.assertIn(
            f"root fields: {emulated} of {emulated + missing} emulated", result.stdout.split("==")[-1]
        )
