-- dim_shift: each plant's shifts in the plant's local time; a shift may cross midnight.
-- Informational keys (Databricks Unity Catalog only): PRIMARY KEY (shift_key)
CREATE TABLE IF NOT EXISTS ${database}.dim_shift (
  shift_key           BIGINT   NOT NULL,
  plant_id            STRING   NOT NULL,
  shift_name          STRING   NOT NULL,
  time_zone           STRING   NOT NULL,
  start_minute        INT      NOT NULL COMMENT 'minutes after local midnight',
  end_minute          INT      NOT NULL,
  crosses_midnight    BOOLEAN  NOT NULL
) USING DELTA;

ALTER TABLE ${database}.dim_shift ADD CONSTRAINT minutes_in_a_day CHECK (start_minute BETWEEN 0 AND 1439 AND end_minute BETWEEN 0 AND 1439);
