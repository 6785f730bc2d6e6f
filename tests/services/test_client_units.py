"""Pure parts of the client: cost estimation and the bucket arithmetic (no HTTP, no database)."""

import graphql

from ...services import budget as budget_mod
from ...services.cost import estimate_cost
from ...services.errors import UserErrorsError
from ..pure import PureCase


def cost_of(text, variables=None):
    return estimate_cost(graphql.parse(text), variables)


class TestCostEstimate(PureCase):
    def test_objects_and_scalars(self):
        self.assertEqual(cost_of("{ shop { name currencyCode } }"), 1)
        self.assertEqual(cost_of("{ shop { name plan { shopifyPlus } } }"), 2)

    def test_connection_is_two_plus_first_times_item(self):
        self.assertEqual(cost_of("{ products(first: 10) { nodes { id title } } }"), 12)
        self.assertEqual(
            cost_of("{ products(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } }"), 12
        )
        self.assertEqual(
            cost_of("query Q($n: Int!) { products(first: $n) { nodes { id } } }", {"n": 50}),
            52,
        )

    def test_nested_connections_multiply(self):
        text = "{ products(first: 10) { nodes { id variants(first: 5) { nodes { id } } } } }"
        self.assertEqual(cost_of(text), 2 + 10 * (1 + 2 + 5))

    def test_mutation_costs_ten_per_root_field(self):
        text = (
            'mutation { a: productDelete(input: {id: "x"}) { deletedProductId } '
            'b: productDelete(input: {id: "y"}) { deletedProductId } }'
        )
        self.assertEqual(cost_of(text), 20)

    def test_nodes_by_ids_and_fragments(self):
        text = (
            "query Q($ids: [ID!]!) { nodes(ids: $ids) "
            "{ ... on Product { id } ... on Order { id customer { id } } } }"
        )
        self.assertEqual(cost_of(text, {"ids": ["a", "b", "c"]}), 3 * (1 + 1))


class TestBucketArithmetic(PureCase):
    def status(self, available, maximum=100, rate=10):
        return {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate}

    def test_reservations_queue_and_wait(self):
        state = budget_mod.observed(budget_mod.BucketState(), self.status(30), 100.0, 0, 100.0)
        state, wait = budget_mod.book(state, 20, 100.0)
        self.assertEqual(wait, 0)
        state, wait = budget_mod.book(state, 20, 100.0)
        self.assertAlmostEqual(wait, 1.0 + budget_mod.WAIT_MARGIN_S)  # 10 available, 20 needed, 10 points/s
        state, wait = budget_mod.book(state, 20, 100.0)
        self.assertAlmostEqual(wait, 3.0 + budget_mod.WAIT_MARGIN_S)  # queued behind the previous one
        self.assertAlmostEqual(state.currently_available, -30)
        self.assertAlmostEqual(state.in_flight, 60)

    def test_refill_is_capped_at_maximum(self):
        state = budget_mod.observed(budget_mod.BucketState(), self.status(0), 0.0, 0, 0.0)
        self.assertEqual(budget_mod.refilled(state, 5.0).currently_available, 50)
        self.assertEqual(budget_mod.refilled(state, 500.0).currently_available, 100)

    def test_observe_subtracts_what_others_have_booked(self):
        state = budget_mod.observed(budget_mod.BucketState(), self.status(100), 0.0, 0, 0.0)
        state, _wait = budget_mod.book(state, 40, 0.0)  # mine
        state, _wait = budget_mod.book(state, 40, 0.0)  # another worker's, not answered yet
        state = budget_mod.observed(state, self.status(65), 0.0, 40, 0.0)  # mine cost 35 in the end
        self.assertAlmostEqual(state.in_flight, 40)
        self.assertAlmostEqual(state.currently_available, 25)

    def test_release_gives_the_booking_back(self):
        state = budget_mod.observed(budget_mod.BucketState(), self.status(100), 0.0, 0, 0.0)
        state, _wait = budget_mod.book(state, 40, 0.0)
        state = budget_mod.released(state, 40, 0.0)
        self.assertEqual((state.currently_available, state.in_flight), (100, 0))

    def test_in_memory_budget_uses_its_clock(self):
        now = [0.0]
        budget = budget_mod.InMemoryBudget(clock=lambda: now[0])
        budget.observe("s", self.status(10), 0.0, 0)
        self.assertAlmostEqual(budget.reserve("s", 30), 2.0 + budget_mod.WAIT_MARGIN_S)
        now[0] = 2.0
        budget.observe("s", self.status(0), 2.0, 30)
        self.assertAlmostEqual(budget.state("s").currently_available, 0)
        self.assertIsNone(budget.state("other"))


class TestErrors(PureCase):
    def test_user_errors_carry_message_field_and_code(self):
        error = UserErrorsError(
            [{"field": ["input", "sku"], "message": "SKU taken", "code": "TAKEN"}], operation="product_set"
        )
        self.assertFalse(error.retryable)
        self.assertEqual(error.field, ["input", "sku"])
        self.assertEqual(error.code, "TAKEN")
        self.assertEqual(str(error), "product_set: SKU taken (field: input.sku)")
