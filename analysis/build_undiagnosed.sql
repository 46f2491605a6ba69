-- What the closed build loop could not fix: instances whose last attempt did not validate and on which no
-- rule fired, by where it stopped and why. Columns: stage, reason, fault, instances, examples (first ids).
WITH last AS (
    SELECT * FROM build_attempts
    QUALIFY row_number() OVER (PARTITION BY instance_id ORDER BY attempt DESC) = 1
)
SELECT stage, reason, fault, count(*) AS instances,
       array_to_string(list_slice(list(instance_id ORDER BY instance_id), 1, 3), ', ') AS examples
FROM last
WHERE outcome <> 'valid' AND rule = ''
GROUP BY stage, reason, fault
ORDER BY instances DESC, stage, reason
