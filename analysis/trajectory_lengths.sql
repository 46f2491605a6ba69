-- Trajectory lengths in tokens, per kind, in doubling buckets: [0,256), [256,512), [512,1024), ...
-- Columns: kind, bucket_low, bucket_high, trajectories.
WITH bucketed AS (
    SELECT kind, CASE WHEN tokens < 256 THEN 0 ELSE CAST(2 ^ floor(log2(tokens)) AS BIGINT) END AS bucket_low
    FROM agent_trajectories
)
SELECT kind, bucket_low, CASE WHEN bucket_low = 0 THEN 256 ELSE 2 * bucket_low END AS bucket_high,
       count(*) AS trajectories
FROM bucketed
GROUP BY kind, bucket_low
ORDER BY kind, bucket_low
