-- Why trajectories were not made or not kept: benchmark overlap, date cutoff, near-duplicates, failures.
-- Columns: reason, trajectories, example.
SELECT reason, count(*) AS trajectories, min(item_id) AS example
FROM rejects
WHERE stage = 'agent_trajectories'
GROUP BY reason
ORDER BY trajectories DESC, reason
