-- Difficulty bands per repository (instances with graded attempts only).
-- Columns: repo, difficulty, instances, kept, mean_pass_rate.
SELECT coalesce(r.repo, repo_of(c.instance_id)) AS repo,
       coalesce(nullif(c.difficulty, ''), '(none)') AS difficulty,
       count(*) AS instances,
       count(*) FILTER (WHERE c.kept) AS kept,
       avg(c.pass_rate) AS mean_pass_rate
FROM curated AS c LEFT JOIN instance_repos AS r USING (instance_id)
WHERE c.n_attempts > 0
GROUP BY 1, 2
ORDER BY repo, mean_pass_rate DESC, difficulty
