--
-- replication.sql
--		What a logical subscriber of the record relies on, in one database
--		(issue 14; the two-cluster behaviour is test/shell/
--		logical_replication.sh): create_publication publishes exactly the
--		scoring tables, or the whole record with the bump policy history
--		filtered to its changes; every table has the subscriber guard, first
--		of its BEFORE triggers and ENABLE ALWAYS; environments, versions and
--		models wake the scoring caches on replicated changes (ENABLE
--		REPLICA); in a database that is no subscriber the guard lets every
--		write through; create_publication is not for PUBLIC.
--
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser (pg_prove connects as postgres).
--
BEGIN;
\ir helpers.psql
SELECT plan(14);
-- the cluster of the tests runs with wal_level replica: a publication
-- warns that it cannot publish yet, which is not what is checked here
SET LOCAL client_min_messages = error;

CREATE ROLE mg_rp_nobody NOLOGIN;
GRANT USAGE ON SCHEMA modelgov TO mg_rp_nobody;

-- the scoring publication
SELECT is(modelgov.create_publication('mg_rp_scoring'),
		  'CREATE PUBLICATION mg_rp_scoring FOR TABLE modelgov.environments, modelgov.models, modelgov.proposals, modelgov.versions',
		  'create_publication returns the statement it ran: the four tables a scoring cluster needs');
SELECT is((SELECT string_agg(tablename::text, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'mg_rp_scoring'),
		  'environments,models,proposals,versions', 'and the publication holds exactly them');
SELECT results_eq($$SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = 'mg_rp_scoring'$$,
				  $$VALUES (true, true, true, true)$$, 'every change is published');

-- the whole record
SELECT is((SELECT count(*) FROM pg_publication_tables WHERE pubname = 'mg_rp_record'), 0::bigint,
		  'control: no publication mg_rp_record yet');
SELECT lives_ok($$SELECT modelgov.create_publication('mg_rp_record', whole_record => true)$$,
				'create_publication(whole_record => true)');
SELECT is((SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'mg_rp_record'),
		  (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
			WHERE c.relnamespace = 'modelgov'::regnamespace AND c.relkind = 'r'),
		  'the whole record: every table of the extension');
SELECT is((SELECT rowfilter FROM pg_publication_tables WHERE pubname = 'mg_rp_record' AND tablename = 'bump_policy_history'),
		  '(set_by IS NOT NULL)',
		  'the bump policy history without the defaults every install writes (no duplicate key on a subscriber''s initial copy)');
SELECT is((SELECT relreplident::text FROM pg_class WHERE oid = 'modelgov.bump_policy_history'::regclass), 'f',
		  'which its replica identity FULL allows');
SELECT throws_ok($$SELECT modelgov.create_publication(NULL)$$, '22004', 'modelgov.create_publication() needs publication',
				 'NULL publication: 22004');

-- the triggers
SELECT is_empty(
	$$SELECT c.relname FROM pg_class c
	   WHERE c.relnamespace = 'modelgov'::regnamespace AND c.relkind = 'r'
		 AND (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid
				 AND t.tgname IN ('a_subscriber_guard', 'a_subscriber_guard_truncate') AND t.tgenabled = 'A') <> 2$$,
	'every table has the subscriber guard for rows and for TRUNCATE, ENABLE ALWAYS');
SELECT is_empty(
	$$SELECT c.relname FROM pg_class c
	   WHERE c.relnamespace = 'modelgov'::regnamespace AND c.relkind = 'r'
		 AND (SELECT min(t.tgname) FROM pg_trigger t
			   WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND (t.tgtype & 2) = 2) <> 'a_subscriber_guard'$$,
	'and it is the first of the BEFORE triggers of each (by name)');
SELECT is((SELECT string_agg(t.tgrelid::regclass::text || ' ' || t.tgenabled::text, ',' ORDER BY t.tgrelid::regclass::text)
			 FROM pg_trigger t WHERE t.tgname = 'replica_changed'),
		  'modelgov.environments R,modelgov.models R,modelgov.versions R',
		  'environments, versions and models wake the scoring caches on replicated changes only (ENABLE REPLICA)');

-- a database that is no subscriber is not affected
SELECT lives_ok($$SELECT modelgov.create_model('rp', '{"weights": [1], "thresholds": {"auto": 0.5, "escalate": 0.9}}')$$,
				'here (no subscription), governance calls and the guard let writes through');

-- not for PUBLIC
SET LOCAL ROLE mg_rp_nobody;
SELECT throws_ok($$SELECT modelgov.create_publication('mg_rp_x')$$, '42501', NULL,
				 'a role without a grant cannot call create_publication (42501)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
