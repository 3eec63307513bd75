--
-- The seed's governance story end to end (scripts/seed_story.sql, the same
-- file make demo runs), in a database of its own.
--
-- The story is not read with \i: psql would echo its comments and report
-- each of its errors as "psql:scripts/seed_story.sql:LINE: ERROR: ...", so
-- that a comment or any new line in the story would change this test's
-- output.  A second psql, the very binary running this file
-- (/proc/$PPID/exe of the shell; psql from PATH where there is no /proc),
-- reads the story on its standard input, as pg_regress runs a test, with
-- ECHO=queries: it echoes every SQL statement as it sends it (not comments
-- or backslash commands; what \echo prints is output and is kept) and
-- reports every error with its DETAIL and HINT, but without a file and
-- line.  Its output goes where this file's goes, in order.
--
CREATE DATABASE modelgov_story_regress;
\c modelgov_story_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
SET TimeZone = 'UTC';
\setenv PGDATABASE :DBNAME
\setenv PGHOST :HOST
\setenv PGPORT :PORT
\setenv PGUSER :USER
\! PGTZ=UTC "$(readlink /proc/$PPID/exe 2>/dev/null || echo psql)" -X -q -v ECHO=queries < scripts/seed_story.sql 2>&1
-- as in the story: no CONTEXT lines, which hold line numbers of the
-- extension's functions
\set SHOW_CONTEXT never

-- every step left exactly one active production version
SELECT model, count(*) AS active_versions FROM modelgov.versions WHERE status = 'active' GROUP BY model ORDER BY model;
-- the failed steps left nothing behind
SELECT count(*) AS proposals FROM modelgov.proposals;
SELECT count(*) AS reviews FROM modelgov.reviews;
SELECT as_role, member_identity FROM modelgov.approvals ORDER BY decided_at, as_role;
SELECT model, env, kind, version, from_version, proposal_id, deployed_at, deployed_by, reason
  FROM modelgov.deployments ORDER BY id;

-- approved configurations and proposals are frozen, even for the owner
UPDATE modelgov.versions SET config = jsonb_set(config, '{thresholds,auto}', '0.5') WHERE model = 'support_tickets' AND version::text = '1.0.1';
UPDATE modelgov.proposals SET new_values = '{}' WHERE proposal_id = 'PROP_202402_001';
SET session_replication_role = replica;
UPDATE modelgov.versions SET config = '{}' WHERE model = 'support_tickets' AND version::text = '1.0.0';
RESET session_replication_role;
-- the guards are ENABLE ALWAYS, so they also fire under replica mode
SELECT tgname, tgenabled FROM pg_trigger
 WHERE tgrelid IN ('modelgov.versions'::regclass, 'modelgov.proposals'::regclass) AND NOT tgisinternal
 ORDER BY 1;

\c contrib_regression
DROP DATABASE modelgov_story_regress;
DROP OWNED BY alice, bob, carol, charlie, diana, eve, frank, ops;
DROP ROLE alice, bob, carol, charlie, diana, eve, frank, ops;
