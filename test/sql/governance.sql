--
-- The seed's governance story end to end (scripts/seed_story.sql, the same
-- file make demo runs), in a database of its own.
--
CREATE DATABASE modelgov_story_regress;
\c modelgov_story_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
SET TimeZone = 'UTC';
\i scripts/seed_story.sql

-- every step left exactly one active production version
SELECT count(*) AS active_versions FROM modelgov.versions WHERE status = 'active';
-- the failed steps left nothing behind
SELECT count(*) AS proposals FROM modelgov.proposals;
SELECT count(*) AS reviews FROM modelgov.reviews;
SELECT as_role, member_identity FROM modelgov.approvals ORDER BY decided_at, as_role;
SELECT env, kind, version, from_version, proposal_id, deployed_at, deployed_by, reason
  FROM modelgov.deployments ORDER BY id;

-- approved configurations and proposals are frozen, even for the owner
UPDATE modelgov.versions SET config = jsonb_set(config, '{thresholds,auto}', '0.5') WHERE version::text = '1.0.1';
UPDATE modelgov.proposals SET new_values = '{}' WHERE proposal_id = 'PROP_202402_001';
SET session_replication_role = replica;
UPDATE modelgov.versions SET config = '{}' WHERE version::text = '1.0.0';
RESET session_replication_role;
-- the guards are ENABLE ALWAYS, so they also fire under replica mode
SELECT tgname, tgenabled FROM pg_trigger
 WHERE tgrelid IN ('modelgov.versions'::regclass, 'modelgov.proposals'::regclass) AND NOT tgisinternal
 ORDER BY 1;

\c contrib_regression
DROP DATABASE modelgov_story_regress;
DROP OWNED BY alice, bob, carol, charlie, diana, eve, ops;
DROP ROLE alice, bob, carol, charlie, diana, eve, ops;
