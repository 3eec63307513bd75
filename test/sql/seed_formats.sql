--
-- The seed's formats, byte for byte where the seed shows them (issue 12,
-- items 7 and 8).  The story of scripts/seed_story.sql (the governance test
-- reads its output line by line) runs again here with its output
-- discarded, and what modelgov writes is diffed against the seed's own
-- example texts, copied into test/seed/.  An empty diff is the seed's text
-- exactly; every other line of a diff is a place where the seed contradicts
-- itself, and the comment before it says how.
--
CREATE DATABASE modelgov_seed_formats;
\c modelgov_seed_formats
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
\setenv PGDATABASE :DBNAME
\setenv PGHOST :HOST
\setenv PGPORT :PORT
\setenv PGUSER :USER
\setenv PGTZ UTC
\setenv PSQL_BIN `readlink /proc/$PPID/exe 2>/dev/null || echo psql`
\pset format unaligned
\pset tuples_only on

-- The story up to its first day of 1.0.1 in production, when 1.0.0 has
-- just been superseded (later it is rolled back to)
\! sed '/^-- formats: 1.0.1 is in production/q' scripts/seed_story.sql | "$PSQL_BIN" -X -q >/dev/null 2>&1
SELECT modelgov.active_version('support_tickets', 'production');

-- The historical record of 1.0.0: no difference
\o test/results/seed_record.json
SELECT modelgov.format_json(modelgov.version_record('support_tickets', '1.0.0'));
\o
\! diff test/seed/record.json test/results/seed_record.json && echo 'record.json: identical'

-- The rest of the story: 1.0.1's week, its release, the rollback, the
-- root cause, and a second model
\! sed '1,/^-- formats: 1.0.1 is in production/d' scripts/seed_story.sql | "$PSQL_BIN" -X -q >/dev/null 2>&1
SELECT modelgov.active_version('support_tickets', 'production');

-- The model configuration file of 1.0.1: no difference
\o test/results/seed_config.json
SELECT modelgov.config_file('support_tickets', '1.0.1');
\o
\! diff test/seed/config.json test/results/seed_config.json && echo 'config.json: identical'

-- The changelog section of 1.0.1, frozen at its release on 2024-03-08
-- 06:10: no difference.  The metrics of 2024-03-08, recorded at 06:45,
-- changed the average correct_auto of 1.0.1 (95.31%), not its text.
\o test/results/seed_changelog.md
SELECT changelog FROM modelgov.releases WHERE model = 'support_tickets' AND version::text = '1.0.1';
\o
\! diff test/seed/changelog.md test/results/seed_changelog.md && echo 'changelog.md: identical'
SELECT round(avg((metrics ->> 'correct_auto')::numeric) * 100, 2) AS correct_auto_now
  FROM modelgov.metrics WHERE model = 'support_tickets' AND version::text = '1.0.1';
-- and changelog() shows the frozen section, then the rollback after it
SELECT modelgov.changelog('support_tickets', '1.0.0');

-- The committee's approval: the seed's approval record, after the two keys
-- with which every exported entry starts (timestamp and event_type)
\o test/results/seed_approval.json
SELECT modelgov.format_json(modelgov.audit_entry(seq)) FROM modelgov.audit_log
 WHERE event_type = 'approved' AND proposal_id = 'PROP_202402_001';
\o
\! diff test/seed/approval.json test/results/seed_approval.json

-- The audit log's deployment of 1.0.1 and its rollback.  Where the seed
-- contradicts itself:
-- * approved_by: its deployment entry names charlie alone, its approval
--   record (and its process: the committee's consensus) all three;
-- * reason: the deployment's reason is the proposal's description, which
--   the seed's changelog words "Monthly threshold optimization
--   (ROC/Youden)" and its audit log "Monthly ROC/Youden optimization";
-- * metrics_before: 1.0.0's measured performance, which the seed's
--   historical record gives as 0.948, 0.10 and 0.10 (matched above) and its
--   audit log as 0.953, 0.125 and 0.082.
\o test/results/seed_audit.json
SELECT modelgov.audit_export('support_tickets', '{deployment,rollback}',
							 first_seq => (SELECT seq FROM modelgov.audit_log
											WHERE event_type = 'deployment' AND status = 'active'
											  AND proposal_id = 'PROP_202402_001'));
\o
\! diff test/seed/audit.json test/results/seed_audit.json

-- Times are UTC whatever the session's TimeZone: the same export
SELECT md5(modelgov.audit_export('support_tickets')) AS export_md5_utc \gset
SET TimeZone = 'America/New_York';
SELECT md5(modelgov.audit_export('support_tickets')) = :'export_md5_utc' AS same_export_in_new_york;
SELECT modelgov.audit_entry(seq) ->> 'approved_at' AS approved_at_in_new_york
  FROM modelgov.audit_log WHERE event_type = 'approved' AND proposal_id = 'PROP_202402_001';
RESET TimeZone;

\c contrib_regression
DROP DATABASE modelgov_seed_formats;
DROP OWNED BY alice, bob, carol, charlie, diana, eve, frank, ops;
DROP ROLE alice, bob, carol, charlie, diana, eve, frank, ops;
