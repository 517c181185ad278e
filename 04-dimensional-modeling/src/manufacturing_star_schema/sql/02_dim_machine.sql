-- dim_machine: machine configuration history (SCD Type 2, Type 6 current line).
-- Grain: one row per machine per configuration version, valid on [valid_from, valid_to).
-- Informational keys (Databricks Unity Catalog only):
--   PRIMARY KEY (machine_sk), FOREIGN KEY (plant_sk) REFERENCES dim_plant
CREATE TABLE IF NOT EXISTS ${database}.dim_machine (
  machine_sk       BIGINT    NOT NULL COMMENT 'xxhash64(machine_id, valid_from): rerun-stable',
  machine_id       STRING    NOT NULL,
  plant_sk         BIGINT    NOT NULL,
  line_id          STRING,
  firmware         STRING,
  max_rpm          INT,
  current_line_id  STRING    COMMENT 'Type 6: overwritten on every version',
  valid_from       TIMESTAMP NOT NULL COMMENT 'source change timestamp, not load time',
  valid_to         TIMESTAMP NOT NULL COMMENT 'exclusive; 9999-12-31 for the current version',
  is_current       BOOLEAN   NOT NULL,
  is_deleted       BOOLEAN   NOT NULL,
  row_hash         STRING    NOT NULL
) USING DELTA
CLUSTER BY (machine_id, valid_from);

ALTER TABLE ${database}.dim_machine ADD CONSTRAINT validity_is_not_empty CHECK (valid_from < valid_to);
ALTER TABLE ${database}.dim_machine ADD CONSTRAINT current_row_is_open CHECK (NOT is_current OR valid_to = TIMESTAMP'9999-12-31 00:00:00');
