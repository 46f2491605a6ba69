-- Agent-native trajectories per repository, the most tokens first.
-- Columns: repo, trajectories, contextual, environmental, sampled, tokens, share_of_tokens.
SELECT coalesce(nullif(repo, ''), repo_of(instance_id)) AS repo,
       count(*) AS trajectories,
       count(*) FILTER (WHERE kind = 'contextual') AS contextual,
       count(*) FILTER (WHERE kind = 'environmental') AS environmental,
       count(*) FILTER (WHERE kind = 'sampled') AS sampled,
       sum(tokens) AS tokens,
       sum(tokens) / nullif(sum(sum(tokens)) OVER (), 0) AS share_of_tokens
FROM agent_trajectories
GROUP BY 1
ORDER BY tokens DESC, repo
