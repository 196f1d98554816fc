"""ads-sync, shard 6 of 16: the Airflow DAGs (daily, weekly, force_sync) of the accounts in
include/accounts.yaml whose key hashes to this shard (`dag_factory.shard_of`). All logic lives in
plugins/ads_sync; the 16 files are identical but for the number (README, "Scale-out").
"""
from ads_sync.dag_factory import expose_shard

expose_shard(globals(), 6)
