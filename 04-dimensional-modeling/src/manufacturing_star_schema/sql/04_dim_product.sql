-- dim_product: products and their revision (SCD Type 3: current and previous revision).
-- Informational keys (Databricks Unity Catalog only): PRIMARY KEY (product_sk)
CREATE TABLE IF NOT EXISTS ${database}.dim_product (
  product_sk                BIGINT    NOT NULL,
  product_id                STRING    NOT NULL,
  product_family            STRING,
  revision                  STRING,
  previous_revision         STRING,
  revision_changed_at       TIMESTAMP,
  updated_at                TIMESTAMP,
  is_deleted                BOOLEAN   NOT NULL,
  row_hash                  STRING
) USING DELTA;
