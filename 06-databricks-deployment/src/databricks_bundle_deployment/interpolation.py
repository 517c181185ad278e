"""Resolve ``${...}`` references for one target and report every one that does not resolve.

Resolved here: ``${var.NAME}`` (default, then the target's value, then ``--var`` overrides; values
may reference other variables), ``${bundle.name}``, ``${bundle.target}`` and ``${workspace.*}``
from the merged document. Left for deploy time and accepted: ``${workspace.current_user.*}`` and
``${resources.TYPE.NAME.FIELD}`` when that resource exists.

Example::

    >>> resolve_references({"a": "${var.x}-${bundle.target}"}, {"x": "1"}, {"bundle": {"target": "dev"}})
    ({'a': '1-dev'}, [])
"""
from __future__ import annotations

import re
from typing import Any

REFERENCE = re.compile(r"\$\{([A-Za-z0-9_.\-\[\]]+)\}")
DEPLOY_TIME_PREFIXES = ("workspace.current_user.",)


class Unresolved:
    """A reference that did not resolve: where it is and what it named."""

    def __init__(self, path: tuple[str | int, ...], reference: str, reason: str):
        self.path, self.reference, self.reason = path, reference, reason

    def __repr__(self) -> str:
        return f"Unresolved({self.path!r}, {self.reference!r}, {self.reason!r})"


def _lookup(reference: str, variables: dict[str, Any], context: dict[str, Any]) -> tuple[bool, Any]:
    if reference.startswith("var."):
        name = reference[4:]
        return (name in variables and variables[name] is not None), variables.get(name)
    if reference.startswith(DEPLOY_TIME_PREFIXES):
        return True, "${" + reference + "}"
    parts = reference.split(".")
    if parts[0] == "resources" and len(parts) >= 4:
        exists = parts[2] in ((context.get("resources") or {}).get(parts[1]) or {})
        return exists, "${" + reference + "}"
    value: Any = context
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


MAX_DEPTH = 10


def _resolve_value(value: Any, path: tuple[str | int, ...], variables: dict[str, Any], context: dict[str, Any],
                   unresolved: list[Unresolved], depth: int = 0) -> Any:
    if isinstance(value, dict):
        return {k: _resolve_value(v, (*path, k), variables, context, unresolved, depth) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_value(v, (*path, i), variables, context, unresolved, depth) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:
        return _resolve_string(value, path, variables, context, unresolved, depth)
    return value


def _resolve_string(value: str, path: tuple[str | int, ...], variables: dict[str, Any], context: dict[str, Any],
                    unresolved: list[Unresolved], depth: int) -> Any:
    """Substitute until nothing changes (values may hold references); a whole-string reference keeps its type."""
    missing: dict[str, str] = {}
    for _ in range(MAX_DEPTH):
        whole = REFERENCE.fullmatch(value)
        if whole:
            found, resolved = _lookup(whole.group(1), variables, context)
            if not found:
                missing[whole.group(1)] = _reason(whole.group(1), variables)
                break
            if isinstance(resolved, dict | list) and depth < MAX_DEPTH:
                return _resolve_value(resolved, path, variables, context, unresolved, depth + 1)
            if not isinstance(resolved, str) or resolved == value:
                return resolved
            value = resolved
            continue

        def replace(match: re.Match[str]) -> str:
            found, resolved = _lookup(match.group(1), variables, context)
            if not found or isinstance(resolved, dict | list):
                missing[match.group(1)] = (_reason(match.group(1), variables) if not found
                                           else "a complex value inside a string")
                return match.group(0)
            return str(resolved)

        substituted = REFERENCE.sub(replace, value)
        if substituted == value:
            break
        value = substituted
    unresolved.extend(Unresolved(path, reference, reason) for reference, reason in missing.items())
    return value


def _reason(reference: str, variables: dict[str, Any]) -> str:
    if reference.startswith("var."):
        name = reference[4:]
        if name in variables:
            return "a variable with no value for this target"
        return "an undeclared variable"
    return "nothing at that path"


def resolve_references(document: Any, variables: dict[str, Any], context: dict[str, Any]
                       ) -> tuple[Any, list[Unresolved]]:
    """Return ``document`` with references resolved, and the ones that did not resolve."""
    unresolved: list[Unresolved] = []
    resolved = _resolve_value(document, (), variables, context, unresolved)
    return resolved, unresolved


def variable_values(declared: dict[str, Any], target_values: dict[str, Any],
                    overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Each declared variable's value for a target: ``default``, then the target's, then ``overrides``.

    Example::

        >>> variable_values({"a": {"default": 1}, "b": {}}, {"b": 2}, {"a": 3})
        {'a': 3, 'b': 2}
    """
    values: dict[str, Any] = {}
    for name, definition in declared.items():
        values[name] = (definition or {}).get("default")
        if name in target_values:
            given = target_values[name]
            values[name] = given.get("default") if isinstance(given, dict) and "default" in given else given
        if overrides and name in overrides:
            values[name] = overrides[name]
    return values
