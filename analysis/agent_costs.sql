-- The build's spend by the tier that made each instance: agents (an agent's fix was used), rules (a rule's
-- fix), memory (seeded with its repository's remembered recipe), heuristic (the first build as it was).
-- Dollars and calls come from the cost ledger (stage build; the legitimacy review of a pass counts for the
-- instance's own tier); cached calls cost $0 and are the cache hits.
-- Columns: tier, instances, valid, usd, usd_per_valid, calls, calls_per_instance, cached_calls, cache_hit_rate.
WITH per_instance AS (
    SELECT instance_id,
           arg_max(outcome, attempt) AS final_outcome,
           CASE WHEN bool_or(tier = 'agents') THEN 'agents'
                WHEN bool_or(tier = 'rules') THEN 'rules'
                WHEN bool_or(seeded_from <> '') THEN 'memory'
                ELSE 'heuristic' END AS tier
    FROM build_attempts GROUP BY instance_id
),
calls AS (
    SELECT instance_id, count(*) AS calls, count(*) FILTER (WHERE status = 'cached') AS cached,
           coalesce(sum(cost_usd), 0) AS usd
    FROM llm_calls WHERE stage = 'build' GROUP BY instance_id
)
SELECT p.tier,
       count(*) AS instances,
       count(*) FILTER (WHERE p.final_outcome = 'valid') AS valid,
       coalesce(sum(c.usd), 0) AS usd,
       coalesce(sum(c.usd), 0) / nullif(count(*) FILTER (WHERE p.final_outcome = 'valid'), 0) AS usd_per_valid,
       CAST(coalesce(sum(c.calls), 0) AS BIGINT) AS calls,
       coalesce(sum(c.calls), 0) / count(*) AS calls_per_instance,
       CAST(coalesce(sum(c.cached), 0) AS BIGINT) AS cached_calls,
       coalesce(sum(c.cached), 0) / nullif(coalesce(sum(c.calls), 0), 0) AS cache_hit_rate
FROM per_instance AS p LEFT JOIN calls AS c USING (instance_id)
GROUP BY p.tier
ORDER BY CASE p.tier WHEN 'agents' THEN 0 WHEN 'rules' THEN 1 WHEN 'memory' THEN 2 ELSE 3 END
