-- dim_test_equipment: test benches and gauges with calibration history (SCD Type 2).
-- Informational keys (Databricks Unity Catalog only): PRIMARY KEY (test_equipment_sk)
CREATE TABLE IF NOT EXISTS ${database}.dim_test_equipment (
  test_equipment_sk   BIGINT    NOT NULL,
  equipment_id        STRING    NOT NULL,
  plant_sk            BIGINT    NOT NULL,
  equipment_type      STRING,
  calibration_due     DATE,
  valid_from          TIMESTAMP NOT NULL,
  valid_to            TIMESTAMP NOT NULL,
  is_current          BOOLEAN   NOT NULL,
  is_deleted          BOOLEAN   NOT NULL,
  row_hash            STRING    NOT NULL
) USING DELTA;

ALTER TABLE ${database}.dim_test_equipment ADD CONSTRAINT equipment_validity CHECK (valid_from < valid_to);
