-- fact_production_output: periodic snapshot. Grain: one row per machine per production day,
-- including days with zero output. Reloaded per day with replaceWhere (idempotent).
-- Informational keys (Databricks Unity Catalog only):
--   PRIMARY KEY (machine_sk, snapshot_date), FOREIGN KEY (machine_sk) REFERENCES dim_machine
CREATE TABLE IF NOT EXISTS ${database}.fact_production_output (
  machine_sk      BIGINT  NOT NULL,
  plant_sk        BIGINT  NOT NULL,
  date_key        INT     NOT NULL,
  snapshot_date   DATE    NOT NULL,
  units_produced  BIGINT  NOT NULL,
  units_scrapped  BIGINT  NOT NULL
) USING DELTA
PARTITIONED BY (snapshot_date);

ALTER TABLE ${database}.fact_production_output ADD CONSTRAINT counts_not_negative CHECK (units_produced >= 0 AND units_scrapped >= 0 AND units_scrapped <= units_produced);
