"""Every document in services/documents/ is valid against every supported Admin API version."""

import graphql

from odoo.tests import TransactionCase

from ..services import documents
from ..services.api_versions import SUPPORTED_API_VERSIONS
from ..services.schema import load_schema


class TestGraphqlDocuments(TransactionCase):
    def test_every_document_validates_against_every_supported_version(self):
        names = documents.names()
        self.assertIn("shop_info", names)
        failures = []
        for version in SUPPORTED_API_VERSIONS:
            schema = load_schema(version)
            for name in names:
                errors = graphql.validate(schema, documents.load(name))
                if errors:
                    failures.append(f"{name}.graphql against {version}: {errors[0].message}")
        self.assertEqual(failures, [], "\n".join(failures))

    def test_each_file_holds_one_operation_named_like_the_file(self):
        for name in documents.names():
            with self.subTest(document=name):
                info = documents.operation_info(name)
                self.assertEqual(documents.snake_case(info.operation_name), name)

    def test_validation_catches_an_invalid_field(self):
        # Guards the test above: the schema really is consulted (graphql-core quirk, facts "Tooling").
        schema = load_schema("2026-10")
        errors = graphql.validate(schema, graphql.parse("query Bad { shop { nameTypo } }"))
        self.assertEqual(len(errors), 1)
        self.assertIn("nameTypo", errors[0].message)

    def test_idempotent_variable_is_detected(self):
        document = graphql.parse(
            "mutation M($k: String!) { inventorySetQuantities(input: {}) "
            "@idempotent(key: $k) { userErrors { field } } }"
        )
        self.assertEqual(documents._idempotency_variable(document), "k")
        self.assertIsNone(documents._idempotency_variable(documents.load("shop_info")))
