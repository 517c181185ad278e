"""Deploy, smoke-run and roll back the bundle's jobs through the Databricks Jobs API (databricks-sdk)."""
