-- Why instances dropped out: each instance counted once, at the stage where it left the funnel — a collect
-- reject (stage prs or tasks), a failed build, an invalid validation of a built environment (one whose build
-- failed is counted at the build), a curation drop of a valid instance. Rejects of attempts or trajectories
-- are not instances and are reported elsewhere. Once every stage has run, the instances of each stage add up
-- to the funnel's drop at that step.
-- Columns: stage, reason ('(none)' when unset), instances, share_of_stage, example (one instance id).
WITH drops AS (
    SELECT 1 AS step, stage, reason, item_id AS instance_id FROM rejects
    WHERE stage IN ('prs', 'tasks') AND item_id NOT IN (SELECT instance_id FROM tasks)
    UNION ALL SELECT 2, 'environments', reason, instance_id FROM environments WHERE status <> 'built'
    UNION ALL SELECT 3, 'validations', v.reason, v.instance_id
        FROM validations AS v JOIN environments AS e USING (instance_id)
        WHERE v.verdict <> 'valid' AND e.status = 'built'
    UNION ALL SELECT 4, 'curated', c.reason, c.instance_id
        FROM curated AS c JOIN validations AS v USING (instance_id)
        WHERE NOT c.kept AND v.verdict = 'valid'
),
first_drop AS (
    SELECT * FROM drops QUALIFY row_number() OVER (PARTITION BY instance_id ORDER BY step, stage) = 1
),
per_reason AS (
    SELECT step, stage, coalesce(nullif(reason, ''), '(none)') AS reason,
           count(*) AS instances, min(instance_id) AS example
    FROM first_drop
    GROUP BY 1, 2, 3
)
SELECT stage, reason, instances,
       instances / sum(instances) OVER (PARTITION BY stage) AS share_of_stage,
       example
FROM per_reason
ORDER BY step, stage, instances DESC, reason
