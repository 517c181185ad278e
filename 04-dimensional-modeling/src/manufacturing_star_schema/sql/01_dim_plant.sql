-- dim_plant: one row per plant (SCD Type 1) with its place in the hierarchy division > site > plant.
-- Informational keys (Databricks Unity Catalog only, not accepted by open-source Delta):
--   PRIMARY KEY (plant_sk)
CREATE TABLE IF NOT EXISTS ${database}.dim_plant (
  plant_sk      BIGINT    NOT NULL COMMENT 'surrogate key; -1 is the unknown member',
  plant_id      STRING    NOT NULL COMMENT 'conformed plant code',
  plant_name    STRING,
  site_id       STRING,
  division_id   STRING,
  country_code  STRING,
  time_zone     STRING    NOT NULL COMMENT 'IANA zone, e.g. Europe/Berlin',
  updated_at    TIMESTAMP,
  is_deleted    BOOLEAN   NOT NULL,
  row_hash      STRING
) USING DELTA
TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true');

ALTER TABLE ${database}.dim_plant ADD CONSTRAINT plant_sk_is_known_or_unknown CHECK (plant_sk > 0 OR plant_sk = -1);
