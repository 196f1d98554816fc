-- Every campaign of an account the warehouse knows, whatever its status: with the API's list, what an
-- async report job is split by, so a deleted campaign the API no longer lists is still covered.
SELECT id FROM ads.campaigns
WHERE platform = %(platform)s AND account_id = %(account_id)s
ORDER BY id
