-- fact_manufacturing_test: transaction fact. Grain: one row per test measurement of one unit.
-- Informational keys (Databricks Unity Catalog only):
--   FOREIGN KEY (machine_sk) REFERENCES dim_machine, (test_equipment_sk) REFERENCES dim_test_equipment,
--   (product_sk) REFERENCES dim_product, (date_key) REFERENCES dim_date, (shift_key) REFERENCES dim_shift
CREATE TABLE IF NOT EXISTS ${database}.fact_manufacturing_test (
  test_id             STRING    NOT NULL,
  serial_number       STRING    NOT NULL,
  machine_sk          BIGINT    NOT NULL,
  test_equipment_sk   BIGINT    NOT NULL,
  product_sk          BIGINT    NOT NULL,
  date_key            INT       NOT NULL,
  shift_key           BIGINT    NOT NULL,
  tested_at           TIMESTAMP NOT NULL,
  measured_value      DOUBLE,
  lower_limit         DOUBLE,
  upper_limit         DOUBLE,
  passed              BOOLEAN   NOT NULL
) USING DELTA
CLUSTER BY (date_key, product_sk);

ALTER TABLE ${database}.fact_manufacturing_test ADD CONSTRAINT limits_ordered CHECK (lower_limit IS NULL OR upper_limit IS NULL OR lower_limit <= upper_limit);
