-- Agent-native trajectories by kind (contextual, environmental, sampled): how many, how many tokens.
-- Columns: kind, trajectories, instances, tokens, mean_tokens, p50_tokens, p90_tokens, max_tokens, mean_tool_calls, resolved_share.
SELECT kind,
       count(*) AS trajectories,
       count(DISTINCT instance_id) AS instances,
       sum(tokens) AS tokens,
       avg(tokens) AS mean_tokens,
       quantile_disc(tokens, 0.5) AS p50_tokens,
       quantile_disc(tokens, 0.9) AS p90_tokens,
       max(tokens) AS max_tokens,
       avg(n_tool_calls) AS mean_tool_calls,
       avg(CASE WHEN resolved IS NULL THEN NULL WHEN resolved THEN 1.0 ELSE 0.0 END) AS resolved_share
FROM agent_trajectories
GROUP BY kind
ORDER BY tokens DESC, kind
