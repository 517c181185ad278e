"""Generated readings whose ``customExtension`` map carries each machine type's own keys (51 distinct).

The shared generator in ``tools`` knows 20 keys; the flattening benchmark needs at least 40 from several
machine types, as on a real shop floor where a press, a lathe and a paint booth report different
extensions. Generation is pure Spark expressions (no Python UDF), so 2 million rows take seconds.

Example::

    readings = generate_readings(spark, rows=1_000)
    readings.printSchema()   # reading_id BIGINT, machine_type STRING, customExtension MAP<STRING,STRING>
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

# key -> value kind; kinds decide how the string value looks (int, decimal, boolean, text)
MACHINE_TYPE_KEYS: dict[str, dict[str, str]] = {
    "stamping_press": {"press_force_kn": "int", "stroke_rate_spm": "int", "die_id": "text",
                       "ram_temp_c": "decimal", "lube_pressure_bar": "decimal", "shut_height_mm": "decimal"},
    "cnc_lathe": {"spindle_rpm": "int", "feed_rate_mm_min": "decimal", "tool_id": "text",
                  "chuck_pressure_bar": "decimal", "turret_position": "int", "tool_wear_pct": "decimal"},
    "cnc_mill": {"spindle_rpm": "int", "spindle_load_pct": "decimal", "tool_id": "text", "axis_x_mm": "decimal",
                 "axis_y_mm": "decimal", "axis_z_mm": "decimal", "coolant_level_pct": "decimal"},
    "injection_molder": {"barrel_temp_c": "decimal", "injection_pressure_bar": "decimal", "mold_id": "text",
                         "cycle_time_s": "decimal", "shot_size_g": "decimal", "cushion_mm": "decimal",
                         "screw_rpm": "int"},
    "robot_arm": {"joint1_torque_nm": "decimal", "joint2_torque_nm": "decimal", "payload_kg": "decimal",
                  "robot_program": "text", "tcp_speed_mm_s": "decimal", "gripper_closed": "boolean",
                  "collision_count": "int"},
    "conveyor": {"belt_speed_m_s": "decimal", "motor_current_a": "decimal", "jam_detected": "boolean",
                 "segment_id": "text", "item_count": "int", "vibration_mm_s": "decimal"},
    "paint_booth": {"booth_humidity_pct": "decimal", "air_flow_m3_h": "int", "paint_batch": "text",
                    "spray_pressure_bar": "decimal", "oven_temp_c": "decimal", "film_thickness_um": "decimal"},
    "heat_treat_furnace": {"zone1_temp_c": "decimal", "zone2_temp_c": "decimal", "atmosphere_o2_ppm": "int",
                           "quench_oil_temp_c": "decimal", "furnace_recipe": "text", "door_open": "boolean"},
}
COMMON_KEYS: dict[str, str] = {"firmware_version": "text", "operator_shift": "text"}


def distinct_keys() -> list[str]:
    """Every key any machine type reports, sorted.

    Example::

        >>> len(distinct_keys()) >= 40
        True
    """
    keys = set(COMMON_KEYS)
    for type_keys in MACHINE_TYPE_KEYS.values():
        keys |= set(type_keys)
    return sorted(keys)


def _value(kind: str, salt: int) -> Column:
    mixed = F.col("id") * 7919 + salt * 104_729
    if kind == "int":
        return (mixed % 5000).cast("string")
    if kind == "decimal":
        return F.format_string("%d.%02d", mixed % 900, mixed % 100)
    if kind == "boolean":
        return F.when(mixed % 7 == 0, F.lit("true")).otherwise(F.lit("false"))
    return F.concat(F.lit("T-"), (mixed % 97).cast("string"))


def _extension_for(type_keys: dict[str, str]) -> Column:
    entries: list[Column] = []
    for salt, (key, kind) in enumerate({**type_keys, **COMMON_KEYS}.items()):
        entries += [F.lit(key), _value(kind, salt)]
    return F.create_map(*entries)


def generate_readings(spark: SparkSession, rows: int) -> DataFrame:
    """``rows`` readings cycling through the machine types; each map holds its type's keys plus the common ones."""
    types = list(MACHINE_TYPE_KEYS)
    type_index = F.col("id") % len(types)
    machine_type = F.element_at(F.array(*[F.lit(t) for t in types]), (type_index + 1).cast("int"))
    extension = None
    for index, machine in enumerate(types):
        branch = _extension_for(MACHINE_TYPE_KEYS[machine])
        extension = (F.when(type_index == index, branch) if extension is None
                     else extension.when(type_index == index, branch))
    return spark.range(rows).select(F.col("id").alias("reading_id"), machine_type.alias("machine_type"),
                                    extension.alias("customExtension"))
