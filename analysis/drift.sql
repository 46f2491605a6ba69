-- Re-validation over time (`openswe revalidate`): the latest check of each environment and image source,
-- by repository and by age (days between the original validation and the check).
WITH latest AS (
    SELECT * FROM drift
    QUALIFY row_number() OVER (PARTITION BY instance_id, image_source ORDER BY checked_at DESC) = 1
)
SELECT
    repo,
    image_source,
    CASE
        WHEN age_days IS NULL THEN 'unknown'
        WHEN age_days < 30 THEN '< 30 days'
        WHEN age_days < 180 THEN '30-180 days'
        WHEN age_days < 365 THEN '180-365 days'
        ELSE '>= 1 year'
    END AS age,
    count(*) AS checked,
    count(*) FILTER (WHERE status = 'same') AS same,
    count(*) FILTER (WHERE status = 'drift') AS drifted,
    count(*) FILTER (WHERE status IN ('build_failed', 'image_missing')) AS unavailable,
    sum(len(lost_tests)) AS lost_tests,
    sum(len(new_failures)) AS new_failures,
    max(checked_at) AS last_checked
FROM latest
GROUP BY ALL
ORDER BY drifted DESC, unavailable DESC, repo, image_source, age
