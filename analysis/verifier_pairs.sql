-- Verifier data (SWE-Gym style): labelled success / failure pairs per instance.
-- Columns: instances, pairs, successes, failures, tokens.
SELECT count(DISTINCT instance_id) AS instances,
       count(DISTINCT instance_id || '#' || pair_index) AS pairs,
       count(*) FILTER (WHERE label) AS successes,
       count(*) FILTER (WHERE NOT label) AS failures,
       coalesce(sum(tokens), 0) AS tokens
FROM verifier
