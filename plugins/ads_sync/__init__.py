"""ads-sync: Google Ads and Meta Ads into PostgreSQL, driven by Airflow 3."""
