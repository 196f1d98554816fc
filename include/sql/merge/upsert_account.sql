INSERT INTO ads.accounts (platform, account_id, name, timezone, currency)
VALUES (%(platform)s, %(account_id)s, %(name)s, %(timezone)s, %(currency)s)
ON CONFLICT (platform, account_id) DO UPDATE
SET name = EXCLUDED.name, timezone = EXCLUDED.timezone, currency = EXCLUDED.currency, updated_at = now()
WHERE (ads.accounts.name, ads.accounts.timezone, ads.accounts.currency)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.timezone, EXCLUDED.currency)
