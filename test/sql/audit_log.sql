--
-- members, the governance clock, and the hash-chained audit log
--
-- a database of its own, so that the log starts empty
CREATE DATABASE modelgov_audit_regress;
\c modelgov_audit_regress
CREATE EXTENSION modelgov;
\set SHOW_CONTEXT never
SET search_path = public, modelgov;

CREATE ROLE mg_alice;
CREATE ROLE mg_bob;
CREATE ROLE mg_admin;
GRANT USAGE ON SCHEMA modelgov TO mg_alice, mg_bob;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_alice, mg_bob;

-- members: administrators only
SELECT add_member('mg_alice', 'alice@company.com', '{product_manager,deployer,product_manager}');
SELECT role_name, identity, roles FROM members;
SELECT add_member('mg_bob', 'alice@company.com');			-- identity taken
SELECT add_member('mg_bob', 'not-an-email');				-- not an identity
SELECT add_member('mg_bob', 'bob@company.com', '{engineering_lead,NULL}');
SELECT add_member('mg_nobody', 'x@company.com');			-- no such role
SET ROLE mg_alice;
SELECT add_member('mg_bob', 'bob@company.com');			-- not an administrator
SELECT remove_member('mg_alice');
RESET ROLE;

-- the clock: superuser-only, and entries made under it say so
SET modelgov.clock = '2024-02-16 09:00:00+00';
SELECT clock_now(), clock_overridden();
SELECT add_member('mg_bob', 'bob@company.com', '{engineering_lead}');
SELECT add_member('mg_bob', 'bob@company.com', '{engineering_lead,model_science_lead}');	-- a member already
SELECT grant_duty('mg_bob', 'model_science_lead');
SELECT set_bump_policy('bug_fix', 'minor');
RESET modelgov.clock;
SELECT clock_overridden(), clock_now() = now() AS real_time;
SET ROLE mg_alice;
SET modelgov.clock = '2020-01-01 00:00:00+00';
RESET ROLE;
SET modelgov.clock = 'not a time';
SELECT clock_now();
RESET modelgov.clock;

-- the actor is the role that calls, including one set with SET ROLE
SELECT extowner::regrole AS owner FROM pg_extension WHERE extname = 'modelgov' \gset
GRANT :"owner" TO mg_admin;
SET ROLE mg_admin;
SELECT remove_member('mg_bob');
RESET ROLE;
SELECT role_name FROM members ORDER BY 1;
SELECT remove_member('mg_bob');								-- not a member

SELECT seq, event_type, actor, change_type, details, clock_overridden,
	   CASE WHEN clock_overridden THEN recorded_at::text ELSE 'now' END AS recorded
  FROM audit_log ORDER BY seq;

-- the chain verifies, and the digest anchors its head
SELECT * FROM verify_audit_log();
SELECT seq AS digest_seq, hash AS digest_hash FROM audit_digest() \gset
SELECT :digest_seq AS digest_seq, length(:'digest_hash') AS hex_length;
SELECT * FROM verify_audit_log(:digest_seq, :'digest_hash');
SELECT * FROM verify_audit_log(:digest_seq, repeat('0', 64));
SELECT * FROM verify_audit_log(99, :'digest_hash');

-- the hash does not depend on session settings
SET TimeZone = 'Pacific/Chatham';
SET DateStyle = 'SQL, DMY';
SET extra_float_digits = -15;
SET bytea_output = 'escape';
SELECT * FROM verify_audit_log();
RESET TimeZone;
RESET DateStyle;
RESET extra_float_digits;
RESET bytea_output;

-- append-only: UPDATE, DELETE and TRUNCATE are refused, also for the owner
-- and under session_replication_role = replica
UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;
DELETE FROM audit_log WHERE seq = 2;
TRUNCATE audit_log CASCADE;
SET session_replication_role = replica;
UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;
DELETE FROM audit_log;
TRUNCATE audit_log CASCADE;
RESET session_replication_role;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal ORDER BY 1;

-- members cannot write the log, nor call the internal append
SET ROLE mg_alice;
INSERT INTO audit_log (seq, recorded_at, event_type, actor, prev_hash, hash)
	VALUES (100, now(), 'forged', 'mg_alice', '\x00', '\x00');
SELECT modelgov_internal.audit('forged');
SELECT count(*) > 0 AS can_read FROM audit_log;
RESET ROLE;

-- Tampering is found.  A superuser can disable the guard; verification
-- then names the first altered, removed or reordered entry.
BEGIN;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE audit_log SET details = details || '{"roles": ["model_science_lead"]}' WHERE seq = 2;
SELECT * FROM verify_audit_log();
ROLLBACK;
BEGIN;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DELETE FROM audit_log WHERE seq = 3;
SELECT * FROM verify_audit_log();
ROLLBACK;
BEGIN;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
-- reorder entries 2 and 3
UPDATE audit_log SET seq = 1000 WHERE seq = 2;
UPDATE audit_log SET seq = 2 WHERE seq = 3;
UPDATE audit_log SET seq = 3 WHERE seq = 1000;
SELECT * FROM verify_audit_log();
ROLLBACK;
BEGIN;
-- a rewritten tail: delete the last entry and append a new one with a
-- valid hash; only the external digest catches it
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DELETE FROM audit_log WHERE seq = :digest_seq;
SELECT modelgov_internal.audit('forged_tail');
SELECT * FROM verify_audit_log();
SELECT * FROM verify_audit_log(:digest_seq, :'digest_hash');
ROLLBACK;
SELECT * FROM verify_audit_log(:digest_seq, :'digest_hash');

DROP OWNED BY mg_alice;
DROP OWNED BY mg_bob;
DROP ROLE mg_alice;
DROP ROLE mg_bob;
REVOKE :"owner" FROM mg_admin;
DROP ROLE mg_admin;

\c contrib_regression
DROP DATABASE modelgov_audit_regress;
