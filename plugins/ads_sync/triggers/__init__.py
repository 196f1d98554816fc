"""Triggers (run by Airflow's triggerer, so they must live in plugins/, not in the DAG bundle)."""
