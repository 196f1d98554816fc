"""The Ads Sync view in Airflow's UI: accounts, coverage calendar, repair (mounted by ads_sync_plugin)."""
