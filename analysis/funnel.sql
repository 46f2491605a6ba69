-- Where instances drop out: crawled -> filtered -> built -> valid -> curated. Crawled counts every PR or
-- task row collect saw, rejected ones included, so each drop matches failure_reasons.
-- Columns: step, stage, instances, share_of_crawled, share_of_previous.
WITH counts AS (
    SELECT 1 AS step, 'crawled' AS stage,
           (SELECT count(*) FROM (SELECT instance_id FROM prs UNION SELECT instance_id FROM tasks
                                  UNION SELECT item_id FROM rejects WHERE stage IN ('prs', 'tasks'))) AS instances
    UNION ALL SELECT 2, 'filtered', (SELECT count(*) FROM tasks)
    UNION ALL SELECT 3, 'built', (SELECT count(*) FROM environments WHERE status = 'built')
    UNION ALL SELECT 4, 'valid', (SELECT count(*) FROM validations WHERE verdict = 'valid')
    UNION ALL SELECT 5, 'curated', (SELECT count(*) FROM curated WHERE kept)
)
SELECT step, stage, instances,
       instances / nullif(first_value(instances) OVER (ORDER BY step), 0) AS share_of_crawled,
       instances / nullif(lag(instances) OVER (ORDER BY step), 0) AS share_of_previous
FROM counts
ORDER BY step
