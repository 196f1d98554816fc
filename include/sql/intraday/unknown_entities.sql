-- Ids an intraday load's staged facts name that the warehouse has no entity row for yet (a campaign, ad
-- group or ad created today): only then does the run ask the API for entities.
SELECT count(DISTINCT s.{column})
FROM {staging} AS s
WHERE NOT EXISTS (
      SELECT 1 FROM {entity} AS e
      WHERE e.platform = %(platform)s AND e.account_id = %(account_id)s AND e.id = s.{column}
  )
