"""Unity Catalog GRANT statements generated from a small YAML access model, per environment.

Catalog-level privileges (``USE CATALOG``, ``CREATE SCHEMA``) are granted on the catalog, the
others on the schema. Principals must be groups or service principals: a person's e-mail address
is refused, so access follows team membership.

Example::

    >>> model = {"schema": "s", "catalogs": {"prod": "c"}, "roles": {"reader": ["USE CATALOG", "SELECT"]},
    ...          "grants": [{"principal": "analysts", "role": "reader", "environments": ["prod"]}]}
    >>> print("\\n".join(grant_statements(model, "prod")))
    GRANT USE CATALOG ON CATALOG `c` TO `analysts`;
    GRANT SELECT ON SCHEMA `c`.`s` TO `analysts`;
"""
from __future__ import annotations

from typing import Any

from databricks_bundle_deployment.findings import BundleError

CATALOG_PRIVILEGES = ("USE CATALOG", "CREATE SCHEMA")
SCHEMA_PRIVILEGES = ("USE SCHEMA", "SELECT", "MODIFY", "CREATE TABLE", "CREATE FUNCTION", "CREATE VOLUME",
                     "READ VOLUME", "WRITE VOLUME", "EXECUTE")


class AccessModelError(BundleError):
    """The access model names something unknown or grants to a person."""


def _quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def _check_grant(index: int, grant: dict[str, Any], roles: dict[str, list[str]], catalogs: dict[str, str]) -> None:
    where = f"grants[{index}]"
    if grant.get("role") not in roles:
        raise AccessModelError(f"{where}.role: expected one of {sorted(roles)}, found {grant.get('role')!r}")
    principal = str(grant.get("principal", ""))
    if not principal or "@" in principal:
        raise AccessModelError(f"{where}.principal: expected a group or a service principal, found "
                               f"{'a person' if '@' in principal else 'none'}")
    for environment in grant.get("environments") or []:
        if environment not in catalogs:
            raise AccessModelError(f"{where}.environments: expected one of {sorted(catalogs)}, found {environment!r}")


def grant_statements(model: dict[str, Any], environment: str) -> list[str]:
    """The GRANT statements for ``environment``, in the model's order, privileges in a fixed order."""
    catalogs, roles = model.get("catalogs") or {}, model.get("roles") or {}
    if environment not in catalogs:
        raise AccessModelError(f"environment: expected one of {sorted(catalogs)}, found {environment!r}")
    for role, privileges in roles.items():
        unknown = [p for p in privileges if p not in CATALOG_PRIVILEGES + SCHEMA_PRIVILEGES]
        if unknown:
            raise AccessModelError(f"roles.{role}: expected privileges from "
                                   f"{list(CATALOG_PRIVILEGES + SCHEMA_PRIVILEGES)}, found {unknown}")
    catalog = _quote(catalogs[environment])
    schema = f"{catalog}.{_quote(model['schema'])}"
    statements: list[str] = []
    for index, grant in enumerate(model.get("grants") or []):
        _check_grant(index, grant, roles, catalogs)
        if environment not in (grant.get("environments") or []):
            continue
        privileges = roles[grant["role"]]
        principal = _quote(str(grant["principal"]))
        on_catalog = [p for p in CATALOG_PRIVILEGES if p in privileges]
        on_schema = [p for p in SCHEMA_PRIVILEGES if p in privileges]
        if on_catalog:
            statements.append(f"GRANT {', '.join(on_catalog)} ON CATALOG {catalog} TO {principal};")
        if on_schema:
            statements.append(f"GRANT {', '.join(on_schema)} ON SCHEMA {schema} TO {principal};")
    return statements
