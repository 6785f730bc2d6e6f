"""Every document in services/documents/ is valid against every supported Admin API version, with its
shared fragments (services/documents/fragments/) inlined; the loader's errors are clear."""

import json
from pathlib import Path

import graphql

from ...services import documents
from ...services.api_versions import DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS
from ...services.schema import load_schema
from ..pure import PureCase
from .selection_paths import selection_paths

SELECTIONS_BEFORE_FRAGMENTS = Path(__file__).resolve().parent / "data" / "selections_before_fragments.json"


def _fragments(**sources):
    """A fragment lookup over in-memory sources {name: text}, for loader tests."""

    def fragment_of(name):
        if name not in sources:
            raise documents.DocumentError(f"unknown fragment {name!r}")
        [definition] = graphql.parse(sources[name]).definitions
        return definition

    return fragment_of


def _spread_names(node):
    """Names of the fragment spreads anywhere in AST `node`, in order."""
    found = []

    class Spreads(graphql.Visitor):
        def enter_fragment_spread(self, spread, *_args):
            found.append(spread.name.value)

    graphql.visit(node, Spreads())
    return found


class TestGraphqlDocuments(PureCase):
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

    def test_sent_documents_hold_no_fragment(self):
        for name in documents.names():
            with self.subTest(document=name):
                text = documents.text(name)
                sent = graphql.parse(text)
                self.assertEqual(len(sent.definitions), 1)
                self.assertNotIn("fragment ", text)
                self.assertEqual(graphql.print_ast(sent), text)
                self.assertEqual(_spread_names(sent), [])

    def test_every_fragment_is_valid_and_used(self):
        used = set()
        for name in documents.names():
            for spread in _spread_names(documents.parse_source(name)):
                self._collect(spread, used)
        fragment_names = documents.fragment_names()
        self.assertIn("ProductFields", fragment_names)
        self.assertEqual(sorted(used), fragment_names, "every fragment file is spread by some document")
        for version in SUPPORTED_API_VERSIONS:
            schema = load_schema(version)
            for name in fragment_names:
                fragment = documents.load_fragment(name)
                with self.subTest(fragment=name, version=version):
                    self.assertIn(fragment.type_condition.name.value, schema.type_map)

    def _collect(self, name, used):
        if name in used:
            return
        used.add(name)
        for inner in _spread_names(documents.load_fragment(name)):
            self._collect(inner, used)

    def test_refactored_documents_select_what_they_did_before_fragments(self):
        # Field paths of these documents, computed from their text before the shared fragments.
        # A document changed on purpose since then leaves this list (delete its entry).
        before = json.loads(SELECTIONS_BEFORE_FRAGMENTS.read_text())
        self.assertIn("orders_updated_since", before)
        for name, paths in before.items():
            with self.subTest(document=name):
                self.assertEqual(selection_paths(documents.load(name)), paths)

    def test_without_the_schema_files_documents_select_the_same(self):
        # Servers never get Shopify's schema files: spreads then become typed inline fragments, which must
        # validate and select exactly what the schema-typed inlining selects.
        schema = load_schema(DEFAULT_API_VERSION)
        for name in documents.names():
            with self.subTest(document=name):
                plain = documents.inline_fragments(
                    documents.parse_source(name), name, documents.load_fragment, None
                )
                self.assertEqual(graphql.validate(schema, plain), [])
                self.assertEqual(
                    _without_type_segments(selection_paths(plain)),
                    _without_type_segments(selection_paths(documents.load(name))),
                )

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


class TestFragmentInlining(PureCase):
    """The loader's rules, on small documents against the default schema."""

    def _inline(self, document_text, **fragments):
        return documents.inline_fragments(
            graphql.parse(document_text),
            "test.graphql",
            _fragments(**fragments),
            load_schema(DEFAULT_API_VERSION),
        )

    def test_spread_on_the_same_type_becomes_its_fields_transitively(self):
        inlined = self._inline(
            "query Q { shop { ...ShopName } }",
            ShopName="fragment ShopName on Shop { name ...ShopMoney }",
            ShopMoney="fragment ShopMoney on Shop { currencyCode }",
        )
        self.assertEqual(
            graphql.print_ast(inlined), "query Q {\n  shop {\n    name\n    currencyCode\n  }\n}"
        )

    def test_spread_under_an_interface_keeps_its_type_condition(self):
        inlined = self._inline(
            'query Q { node(id: "gid://shopify/Product/1") { id ...Handle } }',
            Handle="fragment Handle on Product { handle }",
        )
        self.assertEqual(
            graphql.print_ast(inlined),
            'query Q {\n  node(id: "gid://shopify/Product/1") {\n    id\n    ... on Product {\n'
            "      handle\n    }\n  }\n}",
        )

    def test_unknown_fragment_is_an_error(self):
        with self.assertRaisesRegex(documents.DocumentError, "unknown fragment 'Nope'"):
            self._inline("query Q { shop { ...Nope } }")
        with self.assertRaisesRegex(documents.DocumentError, r"no file fragments/Nope\.graphql"):
            documents.load_fragment("Nope")

    def test_cycle_is_an_error(self):
        with self.assertRaisesRegex(documents.DocumentError, "fragment cycle A → B → A"):
            self._inline(
                "query Q { shop { ...A } }",
                A="fragment A on Shop { name ...B }",
                B="fragment B on Shop { id ...A }",
            )

    def test_fragment_on_a_type_that_cannot_apply_is_an_error(self):
        with self.assertRaisesRegex(
            documents.DocumentError,
            r"test\.graphql: fragment VariantSku on ProductVariant cannot apply in a selection of Shop",
        ):
            self._inline(
                "query Q { shop { ...VariantSku } }",
                VariantSku="fragment VariantSku on ProductVariant { sku }",
            )
        with self.assertRaisesRegex(documents.DocumentError, "no object, interface or union type 'Nothing'"):
            self._inline("query Q { shop { ...N } }", N="fragment N on Nothing { id }")

    def test_a_document_defining_its_own_fragment_is_refused(self):
        with self.assertRaisesRegex(documents.DocumentError, "shared fragments live in fragments/"):
            self._inline("query Q { shop { ...S } } fragment S on Shop { name }")


def _without_type_segments(paths):
    """Paths with their `on Type` segments dropped: a typed inline fragment on the field's own type
    selects the same fields as the fields themselves."""
    return sorted(
        {"/".join(part for part in path.split("/") if not part.startswith("on ")) for path in paths}
    )
