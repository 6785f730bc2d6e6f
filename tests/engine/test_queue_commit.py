"""The queue's commit after each job keeps the batch's reference data cached, and nothing else."""

from odoo import SUPERUSER_ID, api

from ..common import ShopifyCase


class TestCommitKeepsReferenceData(ShopifyCase):
    def test_reference_columns_survive_the_commit_other_data_does_not(self):
        # A connection of its own: the test transaction cannot commit.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company, partner = env.company, env.user.partner_id
            company_name, partner_name = company.name, partner.name  # both read into the cache
            env["shopify.queue.job"]._commit_keeping_reference_data()

            before = cr.sql_log_count
            self.assertEqual(company.name, company_name)
            self.assertEqual(company.currency_id, env.company.currency_id)
            self.assertEqual(cr.sql_log_count, before, "the company comes from the cache: no query")
            self.assertEqual(partner.name, partner_name)
            self.assertGreater(cr.sql_log_count, before, "a partner is read again after the commit")
