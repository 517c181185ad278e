-- Gold views of the telemetry pipeline, declared for Lakeflow Declarative Pipelines.
-- ${silver_table} comes from the pipeline's configuration in resources/telemetry_pipeline.yml;
-- its columns are 03-streaming-architecture's sensor event schema.
CREATE OR REFRESH MATERIALIZED VIEW machine_hourly_temperature
COMMENT 'Readings per machine and hour: count, mean and max temperature'
AS SELECT
  machine_id,
  date_trunc('HOUR', to_timestamp(event_time)) AS hour,
  count(*) AS readings,
  avg(temperature_c) AS mean_temperature_c,
  max(temperature_c) AS max_temperature_c
FROM ${silver_table}
GROUP BY machine_id, date_trunc('HOUR', to_timestamp(event_time));
