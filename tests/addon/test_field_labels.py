"""Every field an admin sees in the addon's views carries a label written for them.

Odoo derives a missing label from the field's name ("api_version_end_of_support" shows as "Api Version
End Of Support"). The test walks each view of the addon, nested x2many views included, and lists the
fields shown there whose label nobody wrote: neither `string=` on the field's definition (in any module
that defines or extends it) nor `string=` on the view's node.
"""

from lxml import etree

from odoo.models import is_definition_class
from odoo.tests import TransactionCase, tagged

MODULE = "shopify_sync"
SUBVIEW_TAGS = {"list", "form", "kanban", "graph", "pivot", "calendar", "search"}


def has_written_label(model_class, field):
    """Whether a definition of `field` (this module or another) gives `string`, or it is related to one."""
    for cls in type(model_class).mro():
        if not is_definition_class(cls):
            continue
        definition = cls.__dict__.get(field.name)
        if definition is not None and getattr(definition, "args", {}).get("string"):
            return True
    return False


def unlabelled_fields(env, model_name, arch):
    """(model, field) pairs shown in `arch` (an lxml element) without a written label."""
    found = []

    def walk(node, model):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "field":
                field = model._fields.get(child.get("name"))
                if field is None:
                    continue
                hidden = child.get("invisible") in ("1", "True") or child.get("column_invisible") in (
                    "1",
                    "True",
                )
                if not hidden and not child.get("string") and not label_of(model, field):
                    found.append((model._name, field.name))
                for sub in child:
                    if isinstance(sub.tag, str) and sub.tag in SUBVIEW_TAGS and field.comodel_name:
                        walk(sub, env[field.comodel_name])
                continue
            walk(child, model)

    def label_of(model, field):
        if field.automatic or has_written_label(model, field):
            return True  # Odoo's own fields (ID, Created on…) are labelled by Odoo
        if field.related:
            *path, last = field.related.split(".")
            target = model
            for name in path:
                target = env[target._fields[name].comodel_name]
            return label_of(target, target._fields[last])
        return False

    walk(arch, env[model_name])
    return found


@tagged("post_install", "-at_install")
class TestFieldLabels(TransactionCase):
    def _addon_views(self):
        ids = self.env["ir.model.data"].search([("module", "=", MODULE), ("model", "=", "ir.ui.view")])
        return self.env["ir.ui.view"].browse(ids.mapped("res_id")).exists()

    def _shown_without_label(self):
        found = set()
        for view in self._addon_views():
            if view.type == "qweb":
                continue
            if view.inherit_id and view.mode == "extension":
                root = view
                while root.inherit_id and root.mode == "extension":
                    root = root.inherit_id
                if root.xml_id.split(".")[0] != MODULE:
                    # An extension of another module's view: only what this addon adds.
                    arch = etree.fromstring(view.arch_db)
                    found.update(unlabelled_fields(self.env, view.model, arch))
                    continue
                view = root
            arch = etree.fromstring(view.get_combined_arch())
            found.update(unlabelled_fields(self.env, view.model, arch))
        return sorted(found)

    def test_views_show_no_generated_label(self):
        self.maxDiff = None
        self.assertEqual(
            self._shown_without_label(),
            [],
            "give these fields a string= written for an admin (on the field, or on the view's node)",
        )

    def test_a_field_without_string_is_found(self):
        # res.partner's `name` has no string= in Odoo (its label "Name" is generated).
        arch = etree.fromstring('<form><field name="name"/><field name="write_uid"/></form>')
        self.assertEqual(unlabelled_fields(self.env, "res.partner", arch), [("res.partner", "name")])
        arch = etree.fromstring(
            '<form><field name="name" string="Customer"/><field name="name" invisible="1"/></form>'
        )
        self.assertEqual(unlabelled_fields(self.env, "res.partner", arch), [])
        # Nested views are read with their own model: the partner's bank accounts.
        arch = etree.fromstring(
            '<form><field name="bank_ids"><list><field name="acc_number"/><field name="active"/></list>'
            "</field></form>"
        )
        self.assertEqual(unlabelled_fields(self.env, "res.partner", arch), [("res.partner.bank", "active")])
