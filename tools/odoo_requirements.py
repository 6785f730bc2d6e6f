"""Print Odoo's requirements.txt resolved as for Python 3.12.

Odoo's pins for Python 3.11 lack wheels here, while its 3.12 pins install on
3.11 too. psycopg2 becomes psycopg2-binary (no compiler or libpq headers) and
python-ldap is dropped (only auth_ldap uses it, and it needs a compiler).
"""

import sys

from pip._vendor.packaging.requirements import Requirement

TARGET_ENV = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
}


def resolved_requirements(lines):
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker and not req.marker.evaluate(TARGET_ENV):
            continue
        name = req.name.lower()
        if name == "python-ldap":
            continue
        if name == "psycopg2":
            req.name = "psycopg2-binary"
        req.marker = None
        yield str(req)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        for requirement in resolved_requirements(handle):
            print(requirement)
