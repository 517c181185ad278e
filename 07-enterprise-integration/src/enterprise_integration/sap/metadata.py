"""The entity types of an OData V2 ``$metadata`` document, and the Spark schema they imply.

Example::

    entity_sets = parse_metadata(client.fetch_metadata())
    orders = entity_sets["ProductionOrderSet"]
    orders.key_properties          # ("OrderNumber",)
    spark_schema_for(orders)       # StructType with OrderNumber string, ChangedAt timestamp, ...
"""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from pyspark.sql.types import (
    BooleanType,
    DataType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from enterprise_integration.sap.errors import SapInputError

_EDM_NAMESPACES = (
    "http://schemas.microsoft.com/ado/2008/09/edm",
    "http://schemas.microsoft.com/ado/2009/11/edm",
    "http://schemas.microsoft.com/ado/2006/04/edm",
)


@dataclass(frozen=True)
class EntityProperty:
    """One property of an entity type: name, Edm type, nullability, decimal precision and scale."""

    name: str
    edm_type: str
    nullable: bool
    precision: int | None = None
    scale: int | None = None


@dataclass(frozen=True)
class EntitySetInfo:
    """An entity set with its entity type's properties (in document order) and key."""

    name: str
    entity_type: str
    properties: tuple[EntityProperty, ...]
    key_properties: tuple[str, ...]

    def property(self, name: str) -> EntityProperty:
        """The property called ``name``; raises SapInputError naming the ones that exist."""
        for candidate in self.properties:
            if candidate.name == name:
                return candidate
        known = ", ".join(p.name for p in self.properties)
        raise SapInputError(f"expected a property of {self.entity_type} ({known}), got {name!r}")


def parse_metadata(edmx: bytes | str) -> dict[str, EntitySetInfo]:
    """Entity sets by name from an EDMX ``$metadata`` document (OData V2, as SAP Gateway serves it)."""
    root = ElementTree.fromstring(edmx)
    types: dict[str, tuple[tuple[EntityProperty, ...], tuple[str, ...]]] = {}
    sets: list[tuple[str, str]] = []
    for namespace in _EDM_NAMESPACES:
        for schema in root.iter(f"{{{namespace}}}Schema"):
            schema_namespace = schema.get("Namespace", "")
            for entity_type in schema.findall(f"{{{namespace}}}EntityType"):
                keys = tuple(ref.get("Name", "") for ref in entity_type.iter(f"{{{namespace}}}PropertyRef"))
                properties = tuple(
                    _property(element) for element in entity_type.findall(f"{{{namespace}}}Property")
                )
                types[f"{schema_namespace}.{entity_type.get('Name')}"] = (properties, keys)
            for entity_set in schema.iter(f"{{{namespace}}}EntitySet"):
                sets.append((entity_set.get("Name", ""), entity_set.get("EntityType", "")))
    if not sets:
        raise SapInputError("expected an EDMX document with at least one EntitySet, got none")
    result = {}
    for set_name, type_name in sets:
        if type_name not in types:
            raise SapInputError(f"expected EntityType {type_name!r} for set {set_name!r}, got {sorted(types)}")
        properties, keys = types[type_name]
        result[set_name] = EntitySetInfo(set_name, type_name, properties, keys)
    return result


def spark_schema_for(entity_set: EntitySetInfo) -> StructType:
    """The explicit Spark schema for an entity set's rows (one field per property, same order)."""
    return StructType(
        [StructField(p.name, _spark_type(p), nullable=p.nullable) for p in entity_set.properties]
    )


def _property(element: ElementTree.Element) -> EntityProperty:
    precision = element.get("Precision")
    scale = element.get("Scale")
    return EntityProperty(
        name=element.get("Name", ""),
        edm_type=element.get("Type", ""),
        nullable=element.get("Nullable", "true").lower() != "false",
        precision=int(precision) if precision else None,
        scale=int(scale) if scale else None,
    )


def _spark_type(prop: EntityProperty) -> DataType:
    simple: dict[str, DataType] = {
        "Edm.String": StringType(),
        "Edm.Guid": StringType(),
        "Edm.Boolean": BooleanType(),
        "Edm.Byte": IntegerType(),
        "Edm.Int16": IntegerType(),
        "Edm.Int32": IntegerType(),
        "Edm.Int64": LongType(),
        "Edm.Double": DoubleType(),
        "Edm.Single": DoubleType(),
        "Edm.DateTime": TimestampType(),
        "Edm.DateTimeOffset": TimestampType(),
    }
    if prop.edm_type == "Edm.Decimal":
        return DecimalType(prop.precision or 38, prop.scale or 0)
    if prop.edm_type not in simple:
        raise SapInputError(f"expected a supported Edm type for {prop.name}, got {prop.edm_type!r}")
    return simple[prop.edm_type]
