-- dim_date: one row per calendar day, with a configurable fiscal calendar (see calendar.py).
-- date_key is yyyymmdd as INT (a smart key: readable, sortable, partition-friendly).
CREATE TABLE IF NOT EXISTS ${database}.dim_date (
  date_key          INT      NOT NULL,
  calendar_date     DATE     NOT NULL,
  year              INT      NOT NULL,
  quarter           INT      NOT NULL,
  month             INT      NOT NULL,
  day_of_month      INT      NOT NULL,
  day_of_week       INT      NOT NULL COMMENT 'ISO: 1 = Monday',
  iso_week          INT      NOT NULL,
  is_weekend        BOOLEAN  NOT NULL,
  fiscal_year       INT      NOT NULL,
  fiscal_quarter    INT      NOT NULL,
  fiscal_period     INT      NOT NULL
) USING DELTA;

ALTER TABLE ${database}.dim_date ADD CONSTRAINT date_key_matches_date CHECK (date_key = CAST(date_format(calendar_date, 'yyyyMMdd') AS INT));
ALTER TABLE ${database}.dim_date ADD CONSTRAINT fiscal_period_range CHECK (fiscal_period BETWEEN 1 AND 12);
