-- The funnel per repository (repositories with the most crawled instances first).
-- Columns: repo, crawled, filtered, built, valid, curated, valid_rate (valid / crawled).
WITH steps AS (
    SELECT instance_id, 'crawled' AS step FROM (SELECT instance_id FROM prs UNION SELECT instance_id FROM tasks
                                                     UNION SELECT item_id FROM rejects WHERE stage IN ('prs', 'tasks'))
    UNION ALL SELECT instance_id, 'filtered' FROM tasks
    UNION ALL SELECT instance_id, 'built' FROM environments WHERE status = 'built'
    UNION ALL SELECT instance_id, 'valid' FROM validations WHERE verdict = 'valid'
    UNION ALL SELECT instance_id, 'curated' FROM curated WHERE kept
),
per_repo AS (
    SELECT coalesce(r.repo, repo_of(s.instance_id)) AS repo,
           count(*) FILTER (WHERE step = 'crawled') AS crawled,
           count(*) FILTER (WHERE step = 'filtered') AS filtered,
           count(*) FILTER (WHERE step = 'built') AS built,
           count(*) FILTER (WHERE step = 'valid') AS valid,
           count(*) FILTER (WHERE step = 'curated') AS curated
    FROM steps AS s LEFT JOIN instance_repos AS r USING (instance_id)
    GROUP BY 1
)
SELECT repo, crawled, filtered, built, valid, curated, valid / nullif(crawled, 0) AS valid_rate
FROM per_repo
ORDER BY crawled DESC, repo
