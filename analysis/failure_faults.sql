-- Invalid records by whose fault they are (environment: another recipe might rescue it; task: the pull
-- request makes no usable task; infrastructure: ours) and why. Columns: fault, reason, instances, share.
SELECT fault, reason, count(*) AS instances, count(*) / sum(count(*)) OVER () AS share
FROM records
WHERE verdict = 'invalid'
GROUP BY fault, reason
ORDER BY instances DESC, fault, reason
