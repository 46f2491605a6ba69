-- Which diagnosis rules of the closed build loop fire, how often, and how often they rescue an instance.
-- Columns: rule, diagnosis, fired (attempts it ended), instances, rescued (instances whose last attempt validated).
WITH last AS (
    SELECT instance_id, arg_max(outcome, attempt) AS final_outcome FROM build_attempts GROUP BY instance_id
)
SELECT a.rule, min(a.diagnosis) AS diagnosis, count(*) AS fired, count(DISTINCT a.instance_id) AS instances,
       count(DISTINCT CASE WHEN l.final_outcome = 'valid' THEN a.instance_id END) AS rescued
FROM build_attempts AS a JOIN last AS l USING (instance_id)
WHERE a.rule <> ''
GROUP BY a.rule
ORDER BY rescued DESC, fired DESC, a.rule
