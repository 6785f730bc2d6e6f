from . import customer_binding
