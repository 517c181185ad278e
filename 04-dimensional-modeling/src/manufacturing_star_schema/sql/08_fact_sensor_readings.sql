-- fact_sensor_readings: transaction fact. Grain: one row per sensor reading (machine, sensor, event time).
-- Partitioned by day: loads append a day, retention drops whole partitions, queries filter on a day.
-- Informational keys (Databricks Unity Catalog only):
--   FOREIGN KEY (machine_sk) REFERENCES dim_machine, (date_key) REFERENCES dim_date
CREATE TABLE IF NOT EXISTS ${database}.fact_sensor_readings (
  reading_id      STRING    NOT NULL,
  machine_sk      BIGINT    NOT NULL COMMENT 'the machine version valid at event_ts; -1 if unknown',
  machine_id      STRING    NOT NULL COMMENT 'natural key, kept so that -1 rows can be re-keyed',
  date_key        INT       NOT NULL,
  sensor_type     STRING    NOT NULL,
  event_ts        TIMESTAMP NOT NULL,
  reading_value   DOUBLE,
  ingested_at     TIMESTAMP NOT NULL,
  event_date      DATE      NOT NULL
) USING DELTA
PARTITIONED BY (event_date);
