-- Curated instances by difficulty band (easiest first, by mean pass rate). Instances without graded
-- attempts have no measured difficulty: they are left out, not shown as a 0% band.
-- Columns: difficulty ('(none)' when unset), instances, kept, mean_pass_rate, share.
SELECT coalesce(nullif(difficulty, ''), '(none)') AS difficulty,
       count(*) AS instances,
       count(*) FILTER (WHERE kept) AS kept,
       avg(pass_rate) AS mean_pass_rate,
       count(*) / sum(count(*)) OVER () AS share
FROM curated
WHERE n_attempts > 0
GROUP BY 1
ORDER BY mean_pass_rate DESC, difficulty
