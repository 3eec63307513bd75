--
-- search_path.sql
--		A hostile search_path against every SECURITY DEFINER function of the
--		extension.  Traps are planted in public and in pg_temp: look-alikes
--		of the comparison and || operators on text, jsonb, integer, bigint,
--		timestamptz, date, double precision, numeric and boolean, and of
--		jsonb_typeof(jsonb), that behave like the real ones but count that
--		they were used; in pg_temp also views named like every table and
--		view of the extension.  With the path set so that an unpinned
--		function finds the traps first:
--		  (a) every SECURITY DEFINER function that belongs to the extension
--			  (pg_depend, in any schema) pins search_path to exactly
--			  pg_catalog, pg_temp;
--		  (b) a governance story calls every one of them, as the roles the
--			  process gives, and no trap fires: first with one model and
--			  the 0.1.0 calls, then with three models, the calls that name
--			  their model, duties per model, a stale proposal refused at
--			  staging, rebased, staged and withdrawn, a retirement, the
--			  inventory and the open work (open_work, my_work);
--		  (c) pg_stat_xact_user_functions shows that the story called every
--			  one of them.
--		Controls show that the traps do fire for functions that are not
--		pinned, so that the test cannot pass for nothing.
--
-- A trap counts in a sequence of its own: nextval() is not undone when the
-- statement that used the trap fails and its subtransaction is rolled back.
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser (pg_prove connects as postgres); modelgov.clock is
-- superuser-only, so it is always set with no role set.
--
BEGIN;
\ir helpers.psql
SELECT plan(155);

-- function call counts for pg_stat_xact_user_functions, SQL functions too
SET track_functions = 'all';

------------------------------------------------------------------------------
-- The test's own schema (never on the path): the traps and their counters
------------------------------------------------------------------------------
CREATE SCHEMA mg_sp;
GRANT USAGE ON SCHEMA mg_sp TO PUBLIC;

-- the SECURITY DEFINER functions of the extension, in whatever schema
CREATE VIEW mg_sp.secdef AS
	SELECT p.oid, p.oid::regprocedure::text AS fn, p.proconfig
	  FROM pg_catalog.pg_depend d
	  JOIN pg_catalog.pg_proc p ON p.oid = d.objid
	 WHERE d.classid = 'pg_catalog.pg_proc'::regclass
	   AND d.refclassid = 'pg_catalog.pg_extension'::regclass
	   AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'modelgov')
	   AND d.deptype = 'e'
	   AND p.prosecdef;

-- every trap: its name (where.what), what it shadows, the statement that
-- reaches it from an unpinned function, and its counter
CREATE TABLE mg_sp.traps (
	name	text PRIMARY KEY,
	kind	text NOT NULL,		-- operator, function or relation
	probe	text NOT NULL,		-- the same use written unqualified
	counter	regclass NOT NULL
);

-- count one use of a trap; true, so that a view can call it in WHERE
CREATE FUNCTION mg_sp.fire(trap text) RETURNS boolean
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM pg_catalog.nextval(t.counter) FROM mg_sp.traps t WHERE t.name OPERATOR(pg_catalog.=) trap;
	RETURN true;
END
$$;

-- how many times each trap was used since the counters were last cleared
CREATE FUNCTION mg_sp.fired() RETURNS TABLE (trap text, times bigint)
	LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
	SELECT t.name, coalesce(pg_sequence_last_value(t.counter), 0) FROM mg_sp.traps t
$$;
CREATE FUNCTION mg_sp.clear() RETURNS bigint
	LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
	SELECT count(setval(t.counter, 1, false)) FROM mg_sp.traps t
$$;

-- register a trap, with a counter of its own
CREATE FUNCTION mg_sp.register(trap text, kind text, probe text) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	counter text := format('mg_sp.%I', format('fired_%s', (SELECT count(*) + 1 FROM mg_sp.traps)));
BEGIN
	EXECUTE format('CREATE SEQUENCE %s', counter);
	INSERT INTO mg_sp.traps VALUES (trap, kind, probe, counter::regclass);
END
$$;

-- Plant the traps in one schema (public or pg_temp): a look-alike of every
-- operator of pg_catalog named = <> < <= > >= or || between the types
-- below, of jsonb_typeof(jsonb), and (pg_temp only) a view for every table
-- and view of the extension.  A look-alike returns what the real one
-- returns.  Returns how many traps it planted.
CREATE FUNCTION mg_sp.plant(target text) RETURNS integer
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o record;
	trap text;
	fn text;
	n integer := 0;
BEGIN
	FOR o IN SELECT op.oprname AS op, op.oprleft::regtype::text AS l, op.oprright::regtype::text AS r,
					op.oprresult::regtype::text AS res
			   FROM pg_operator op
			  WHERE op.oprnamespace = 'pg_catalog'::regnamespace
				AND op.oprname = ANY (ARRAY['=', '<>', '<', '<=', '>', '>=', '||'])
				AND op.oprleft = ANY (ARRAY['text', 'jsonb', 'integer', 'bigint', 'timestamptz', 'date',
											'double precision', 'numeric', 'boolean']::regtype[])
				AND op.oprright = ANY (ARRAY['text', 'jsonb', 'integer', 'bigint', 'timestamptz', 'date',
											 'double precision', 'numeric', 'boolean']::regtype[])
			  ORDER BY 1, 2, 3 LOOP
		n := n + 1;
		trap := format('%s.%s(%s,%s)', target, o.op, o.l, o.r);
		fn := format('mg_sp.%I', format('trap_%s_%s', target, n));
		PERFORM mg_sp.register(trap, 'operator', format('SELECT NULL::%s %s NULL::%s', o.l, o.op, o.r));
		EXECUTE format('CREATE FUNCTION %s(a %s, b %s) RETURNS %s LANGUAGE plpgsql '
					   'SET search_path = pg_catalog, pg_temp AS %L',
					   fn, o.l, o.r, o.res,
					   format('BEGIN PERFORM mg_sp.fire(%L); RETURN a OPERATOR(pg_catalog.%s) b; END', trap, o.op));
		EXECUTE format('CREATE OPERATOR %s.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %s)',
					   target, o.op, o.l, o.r, fn);
	END LOOP;

	n := n + 1;
	trap := format('%s.jsonb_typeof(jsonb)', target);
	PERFORM mg_sp.register(trap, 'function', 'SELECT jsonb_typeof(NULL::jsonb)');
	EXECUTE format('CREATE FUNCTION %I.jsonb_typeof(j jsonb) RETURNS text LANGUAGE plpgsql '
				   'SET search_path = pg_catalog, pg_temp AS %L',
				   target, format('BEGIN PERFORM mg_sp.fire(%L); RETURN pg_catalog.jsonb_typeof(j); END', trap));

	IF target = 'pg_temp' THEN
		FOR o IN SELECT c.relname::text AS rel, c.relkind FROM pg_class c
				  WHERE c.relnamespace = 'modelgov'::regnamespace AND c.relkind IN ('r', 'p', 'v')
				  ORDER BY 1 LOOP
			n := n + 1;
			trap := format('pg_temp.%s', o.rel);
			PERFORM mg_sp.register(trap, 'relation', format('SELECT count(*) FROM %I', o.rel));
			-- a write through a table's look-alike checks the WHERE, and fires too
			EXECUTE format('CREATE TEMP VIEW %I AS SELECT * FROM modelgov.%I WHERE mg_sp.fire(%L)%s',
						   o.rel, o.rel, trap,
						   CASE WHEN o.relkind = 'v' THEN '' ELSE ' WITH LOCAL CHECK OPTION' END);
			EXECUTE format('GRANT ALL ON pg_temp.%I TO PUBLIC', o.rel);
		END LOOP;
	END IF;
	RETURN n;
END
$$;

-- Run the probe of every trap of a schema.  Not pinned: it uses the
-- search_path of its caller, as a function without SET search_path does.
CREATE FUNCTION mg_sp.probe_traps(target text) RETURNS integer
	LANGUAGE plpgsql AS $$
DECLARE
	t record;
	n integer := 0;
BEGIN
	FOR t IN SELECT x.probe FROM mg_sp.traps x WHERE pg_catalog.starts_with(x.name, pg_catalog.concat(target, '.')) LOOP
		EXECUTE t.probe;
		n := pg_catalog.int4pl(n, 1);
	END LOOP;
	RETURN n;
END
$$;

------------------------------------------------------------------------------
-- The roles.  mg_sp_admin administers modelgov as a member of the extension
-- owner (not a superuser); the others get the grants of the docs.
------------------------------------------------------------------------------
CREATE ROLE mg_sp_admin NOLOGIN;	-- administrator
CREATE ROLE mg_sp_alice NOLOGIN;	-- proposer, no duties
CREATE ROLE mg_sp_bob NOLOGIN;		-- reviewer, model_science_lead
CREATE ROLE mg_sp_carol NOLOGIN;	-- reviewer, product_manager
CREATE ROLE mg_sp_dave NOLOGIN;		-- engineering_lead
CREATE ROLE mg_sp_ops NOLOGIN;		-- deployer
CREATE ROLE mg_sp_hank NOLOGIN;		-- member without duties, removed at the end
CREATE ROLE mg_sp_mallory NOLOGIN;	-- the same grants, not a member
GRANT USAGE ON SCHEMA modelgov TO mg_sp_admin, mg_sp_alice, mg_sp_bob, mg_sp_carol, mg_sp_dave,
	mg_sp_ops, mg_sp_hank, mg_sp_mallory;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_sp_admin, mg_sp_alice, mg_sp_bob, mg_sp_carol,
	mg_sp_dave, mg_sp_ops, mg_sp_hank, mg_sp_mallory;
DO $$
BEGIN
	EXECUTE format('GRANT %I TO mg_sp_admin',
				   (SELECT e.extowner::regrole::text FROM pg_extension e WHERE e.extname = 'modelgov'));
END
$$;

------------------------------------------------------------------------------
-- (a) Statically: every SECURITY DEFINER function of the extension pins
-- search_path to exactly pg_catalog, pg_temp
------------------------------------------------------------------------------
SELECT isnt_empty($$SELECT fn FROM mg_sp.secdef$$,
				  'pg_depend lists SECURITY DEFINER functions of the extension');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_proc p
	   WHERE p.pronamespace = 'modelgov'::regnamespace AND p.prosecdef
		 AND p.oid NOT IN (SELECT s.oid FROM mg_sp.secdef s)$$,
	'every SECURITY DEFINER function in schema modelgov is found through pg_depend');
SELECT is_empty(
	$$SELECT s.fn, s.proconfig FROM mg_sp.secdef s
	   WHERE (SELECT array_agg(c) FROM unnest(s.proconfig) AS c WHERE c LIKE 'search\_path=%')
			 IS DISTINCT FROM ARRAY['search_path=pg_catalog, pg_temp']$$,
	'every SECURITY DEFINER function of the extension has search_path = pg_catalog, pg_temp, exactly');

------------------------------------------------------------------------------
-- The traps
------------------------------------------------------------------------------
SELECT cmp_ok(mg_sp.plant('public'), '>=', 60, 'traps planted in public');
SELECT cmp_ok(mg_sp.plant('pg_temp'), '>=', 70, 'traps planted in pg_temp');
SELECT is_empty(
	$$SELECT w.s || '.' || t.trap
		FROM unnest(ARRAY['public', 'pg_temp']) AS w(s),
			 unnest(ARRAY['=(text,text)', '<(text,text)', '||(text,text)', '=(jsonb,jsonb)', '<(jsonb,jsonb)',
						  '||(jsonb,jsonb)', '=(integer,integer)', '<(integer,integer)', '=(bigint,bigint)',
						  '<(bigint,bigint)', '=(bigint,integer)', '<(bigint,integer)',
						  '=(timestamp with time zone,timestamp with time zone)',
						  '<(timestamp with time zone,timestamp with time zone)', 'jsonb_typeof(jsonb)']) AS t(trap)
	   WHERE w.s || '.' || t.trap NOT IN (SELECT x.name FROM mg_sp.traps x)$$,
	'among the traps in public and pg_temp: =, < and || on text and jsonb, = and < on integers and timestamptz, jsonb_typeof');
SELECT is((SELECT count(*) FROM mg_sp.fired() f WHERE f.times > 0), 0::bigint, 'no trap has fired yet');
SELECT is((SELECT count(*) FROM pg_stat_xact_user_functions s JOIN mg_sp.secdef d ON d.oid = s.funcid),
		  0::bigint, 'no SECURITY DEFINER function of the extension was called yet in this transaction');

------------------------------------------------------------------------------
-- (b) The story.  Each step is a statement run by pg_temp.attempt as a role,
-- at a modelgov.clock time (NULL: the time stays), with what it must
-- return ("ok:" and the value, or the SQLSTATE and message), as a regular
-- expression; read-only steps are also run again on the clean path, and
-- must return the same there.  The story has two parts: in part 1 the
-- database holds one model and the steps use the 0.1.0 calls; part 2
-- creates two more models, after which the 0.1.0 calls refuse to guess
-- the model, so the read-only steps of part 1 are run on the clean path
-- before part 2 begins.
------------------------------------------------------------------------------
CREATE TABLE mg_sp.story (
	n		serial PRIMARY KEY,
	part	integer NOT NULL DEFAULT 1,
	who		text NOT NULL,
	at		text,
	stmt	text NOT NULL,
	expect	text,			-- NULL: only compared with the clean path
	what	text NOT NULL,
	read_only boolean NOT NULL DEFAULT false,
	result	text,			-- under the hostile path
	clean	text			-- on the clean path (read-only steps)
);
INSERT INTO mg_sp.story (who, at, stmt, expect, what) VALUES
	-- 2024-01-15: the administrator sets up
	('mg_sp_admin', '2024-01-15 00:00:00+00',
	 $$SELECT modelgov.init_model('{"weights": [0.30, 0.30, 0.20, 0.20], "threshold_auto": 0.15,
									  "threshold_escalate": 0.50}')$$,
	 '^ok:1\.0\.0$', 'init_model creates 1.0.0'),
	('mg_sp_admin', NULL,
	 $$SELECT pg_catalog.count(modelgov.add_member(m.r::regrole, m.i, m.d::modelgov.member_role[]))
		 FROM (VALUES ('mg_sp_alice', 'alice@company.com', '{}'),
					  ('mg_sp_bob', 'bob@company.com', '{model_science_lead}'),
					  ('mg_sp_carol', 'carol@company.com', '{product_manager}'),
					  ('mg_sp_dave', 'dave@company.com', '{engineering_lead}'),
					  ('mg_sp_ops', 'automation@company.com', '{deployer}'),
					  ('mg_sp_hank', 'hank@company.com', '{}')) AS m(r, i, d)$$,
	 '^ok:6$', 'add_member adds six members'),
	('mg_sp_admin', NULL, $$SELECT modelgov.set_bump_policy('bias_update', 'minor')$$,
	 '^ok:$', 'set_bump_policy changes the policy'),
	('mg_sp_admin', NULL, $$SELECT modelgov.set_monitoring_setting('sigma', 2)$$,
	 '^ok:$', 'set_monitoring_setting changes a setting'),
	-- 2024-02-16 10:00: proposal, reviews, approvals, staging, smoke test, production
	('mg_sp_mallory', '2024-02-16 10:00:00+00', $$SELECT modelgov.propose('bug_fix', 'mallory', '{}')$$,
	 '^42501 permission denied to propose changes', 'a non-member may not propose (42501)'),
	('mg_sp_alice', NULL,
	 $$SELECT modelgov.propose('threshold_change', 'Monthly threshold optimization',
		'{"threshold_auto": 0.18, "threshold_escalate": 0.48}',
		'{"sample_size": 5000, "expected_auto_resolve_rate": 0.12, "expected_escalate_rate": 0.08}',
		'Roll back with modelgov.rollback().', 'Daily checks for 7 days.')$$,
	 '^ok:PROP_202402_001$', 'propose returns the first id of February 2024'),
	('mg_sp_alice', NULL, $$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true)$$,
	 '^42501 permission denied to review proposal PROP_202402_001', 'the proposer may not review (42501)'),
	('mg_sp_bob', NULL, $$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true, 'Solid.')$$,
	 '^ok:in review: 1 of two approving reviews$', 'bob reviews'),
	('mg_sp_bob', NULL, $$SELECT modelgov.approve('PROP_202402_001', 'model_science_lead')$$,
	 '^55000 cannot approve proposal PROP_202402_001', 'one review is not enough to approve (55000)'),
	('mg_sp_carol', NULL, $$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true)$$,
	 '^ok:reviewed: waiting for approvals as model_science_lead, product_manager, engineering_lead$', 'carol reviews'),
	('mg_sp_carol', NULL, $$SELECT modelgov.approve('PROP_202402_001', 'engineering_lead')$$,
	 '^42501 permission denied to approve as engineering_lead', 'a role one does not hold is refused (42501)'),
	('mg_sp_carol', NULL, $$SELECT modelgov.approve('PROP_202402_001', 'product_manager')$$,
	 '^ok:reviewed: waiting for approvals as model_science_lead, engineering_lead$', 'carol approves as product_manager'),
	('mg_sp_bob', NULL, $$SELECT modelgov.approve('PROP_202402_001', 'model_science_lead')$$,
	 '^ok:reviewed: waiting for approvals as engineering_lead$', 'bob approves as model_science_lead'),
	('mg_sp_dave', NULL, $$SELECT modelgov.approve('PROP_202402_001', 'engineering_lead'::modelgov.member_role)$$,
	 '^ok:approved: 1\.0\.1 created, waiting for staging$', 'dave approves as engineering_lead (the role typed, as 0.1.0 took it)'),
	('mg_sp_ops', NULL, $$SELECT modelgov.deploy('PROP_202402_001', 'production')$$,
	 '^55000 cannot deploy to production proposal PROP_202402_001', 'production before staging is refused (55000)'),
	('mg_sp_ops', NULL, $$SELECT modelgov.deploy('PROP_202402_001', 'staging'::modelgov.environment)$$,
	 '^ok:1\.0\.1$', 'the deployer stages 1.0.1 (the environment typed, as 0.1.0 took it)'),
	('mg_sp_ops', NULL, $$SELECT modelgov.deploy('PROP_202402_001', 'production')$$,
	 '^55000 cannot deploy 1\.0\.1 to production without a passing smoke test',
	 'production without a smoke test is refused (55000)'),
	('mg_sp_ops', NULL, $$SELECT modelgov.record_smoke_test('1.0.1', true, '{"command": "pytest"}')$$,
	 '^ok:$', 'the deployer records a smoke test'),
	('mg_sp_ops', NULL, $$SELECT modelgov.deploy('PROP_202402_001', 'production')$$,
	 '^ok:1\.0\.1$', 'the deployer deploys 1.0.1 to production'),
	-- 2024-02-23 12:00, seven days after the deployment: metrics, a correction, the monitor
	('mg_sp_ops', '2024-02-23 12:00:00+00',
	 $$SELECT pg_catalog.count(modelgov.record_metrics('1.0.1', d::date,
		'{"decisions": 10000, "auto": 1200, "ask": 7000, "escalate": 800, "errors": 50,
		  "feature_availability": 0.995, "latency_p99_ms": 50, "correct_auto": 0.95}'))
		 FROM pg_catalog.generate_series('2024-02-16'::timestamp, '2024-02-22', '1 day') AS d$$,
	 '^ok:7$', 'record_metrics records seven days'),
	('mg_sp_ops', NULL,
	 $$SELECT modelgov.correct_metrics('1.0.1', '2024-02-22',
		'{"decisions": 10000, "auto": 1210, "ask": 6990, "escalate": 800, "errors": 50,
		  "feature_availability": 0.995, "latency_p99_ms": 51, "correct_auto": 0.95}', 'late events')$$,
	 '^ok:2$', 'correct_metrics writes revision 2'),
	('mg_sp_hank', NULL,
	 $$SELECT pg_catalog.string_agg(DISTINCT m.action, ',' ORDER BY m.action) FROM modelgov.monitor() AS m
		WHERE m.action IS NOT NULL$$,
	 '^ok:not recorded \(reporting only\)$', 'a member''s monitor() only reports: it records and validates nothing'),
	('mg_sp_hank', NULL, $$SELECT pg_catalog.count(*) FROM modelgov.monitor(true)$$,
	 '^42501 permission denied to monitor with automatic rollback',
	 'only a deployer monitors with automatic rollback (42501)'),
	-- 1.0.0 has no days before 1.0.1: escalation_spike cannot be checked
	-- and the trigger is not armed, alerts a person acknowledges
	('mg_sp_ops', NULL,
	 $$SELECT pg_catalog.string_agg(DISTINCT m.action, ',' ORDER BY m.action) FROM modelgov.monitor(true) AS m
		WHERE m.action IS NOT NULL$$,
	 '^ok:alert,already alerted$', 'monitor(true) by the deployer alerts the checks it cannot make, and validates nothing'),
	('mg_sp_hank', NULL,
	 $$SELECT modelgov.acknowledge((SELECT pg_catalog.min(a.seq) FROM modelgov.alerts AS a), 'seen')$$,
	 '^42501 permission denied to acknowledge alerts of model default', 'a member without a duty may not acknowledge (42501)'),
	('mg_sp_bob', NULL,
	 $$SELECT pg_catalog.count(modelgov.acknowledge(a.seq, 'No history before 1.0.1; the week was watched by hand.'))
		 FROM modelgov.alerts AS a$$,
	 '^ok:12$', 'the science lead acknowledges the 12 alerts (7 escalation_spike not checked, 5 triggers not armed)'),
	('mg_sp_bob', NULL,
	 $$SELECT modelgov.acknowledge((SELECT pg_catalog.min(a.seq) FROM modelgov.alerts AS a), 'again')$$,
	 '^23505 alert [0-9]+ is already acknowledged', 'an alert is acknowledged once (23505)'),
	('mg_sp_ops', NULL,
	 $$SELECT pg_catalog.string_agg(DISTINCT m.action, ',' ORDER BY m.action) FROM modelgov.monitor(true) AS m
		WHERE m.action IS NOT NULL$$,
	 '^ok:already alerted,validated$', 'monitor(true) by the deployer then validates 1.0.1 after seven clean days'),
	-- the release of 1.0.1
	('mg_sp_alice', NULL, $$SELECT modelgov.release('1.0.1')$$,
	 '^55000 cannot release version 1\.0\.1: the release checklist is incomplete',
	 'release() needs the attestations (55000)'),
	('mg_sp_alice', NULL,
	 $$SELECT pg_catalog.count(modelgov.attest('1.0.1', a.item, a.evidence))
		 FROM (VALUES ('tests_pass', 'CI run 412'),
					  ('documentation_updated', 'docs/thresholds.md'), ('changelog_updated', 'CHANGELOG.md'),
					  ('release_notes_published', '#model-committee')) AS a(item, evidence)$$,
	 '^ok:4$', 'attest records four attested items'),
	('mg_sp_alice', NULL, $$SELECT modelgov.attest('1.0.1', 'code_reviewed', 'my own review')$$,
	 '^42501 permission denied to attest code_reviewed of version 1\.0\.1',
	 'the proposer may not attest the code review (42501)'),
	('mg_sp_bob', NULL, $$SELECT modelgov.attest('1.0.1', 'code_reviewed', 'PR 88 reviewed by bob')$$,
	 '^ok:$', 'bob attests the code review'),
	('mg_sp_carol', NULL, $$SELECT modelgov.attest('1.0.1', 'code_reviewed', 'PR 88 reviewed by carol')$$,
	 '^ok:$', 'carol attests it too: two reviewers other than the proposer'),
	('mg_sp_alice', NULL, $$SELECT modelgov.attest('1.0.1', 'tagged', 'v1.0.1')$$,
	 '^22023 release checklist item "tagged" is computed', 'a computed item cannot be attested (22023)'),
	('mg_sp_alice', NULL, $$SELECT modelgov.release('1.0.1')$$,
	 '^ok:$', 'release() releases 1.0.1'),
	('mg_sp_alice', NULL, $$SELECT modelgov.release('1.0.1')$$,
	 '^55000 version 1\.0\.1 is already released', 'a second release is refused (55000)'),
	-- a proposal withdrawn, another rejected
	('mg_sp_alice', NULL, $$SELECT modelgov.propose('performance_fix', 'Faster scoring', '{}')$$,
	 '^ok:PROP_202402_002$', 'a second proposal'),
	('mg_sp_alice', NULL, $$SELECT modelgov.withdraw('PROP_202402_002', 'not needed after all')$$,
	 '^ok:withdrawn: not needed after all$', 'its proposer withdraws it'),
	('mg_sp_alice', NULL, $$SELECT modelgov.propose('bias_update', 'Billing bias', '{"biases": {"billing": -0.05}}')$$,
	 '^ok:PROP_202402_003$', 'a third proposal'),
	('mg_sp_carol', NULL, $$SELECT modelgov.withdraw('PROP_202402_003', 'not mine')$$,
	 '^42501 permission denied to withdraw proposal PROP_202402_003', 'only the proposer withdraws (42501)'),
	('mg_sp_carol', NULL, $$SELECT modelgov.reject('PROP_202402_003', 'not this quarter')$$,
	 '^ok:rejected: not this quarter$', 'a committee member rejects it'),
	-- a rollback drill, annotated
	('mg_sp_hank', NULL, $$SELECT modelgov.rollback('drill')$$,
	 '^42501 permission denied to roll back', 'only a deployer rolls back (42501)'),
	('mg_sp_ops', NULL, $$SELECT modelgov.rollback('Rollback drill')$$,
	 '^ok:1\.0\.0$', 'the deployer rolls back to 1.0.0'),
	('mg_sp_hank', NULL,
	 $$SELECT modelgov.annotate((SELECT a.seq FROM modelgov.audit_log a
								  WHERE a.event_type OPERATOR(pg_catalog.=) 'rollback'), 'Drill, no root cause')$$,
	 '^42501 permission denied to annotate rollbacks of model default$',
	 'a member without a duty for the model may not annotate its rollback (42501)'),
	('mg_sp_bob', NULL,
	 $$SELECT modelgov.annotate((SELECT a.seq FROM modelgov.audit_log a
								  WHERE a.event_type OPERATOR(pg_catalog.=) 'rollback'), 'Drill, no root cause')$$,
	 '^ok:[0-9]+$', 'annotate appends an annotation of the rollback'),
	('mg_sp_hank', NULL, $$SELECT modelgov.annotate(1, 'not a rollback')$$,
	 '^22023 audit entry 1 is not a rollback', 'only rollbacks are annotated (22023)'),
	-- the administrator removes a member, a member may not
	('mg_sp_admin', NULL, $$SELECT modelgov.remove_member('mg_sp_hank')$$,
	 '^ok:$', 'the administrator removes hank'),
	('mg_sp_alice', NULL, $$SELECT modelgov.remove_member('mg_sp_bob')$$,
	 '^42501 permission denied to remove members', 'a member may not remove members (42501)'),
	('mg_sp_admin', NULL, $$SELECT pg_catalog.count(*) FROM modelgov.remove_stale_members()$$,
	 '^ok:0$', 'remove_stale_members() finds none while every member''s role exists'),
	-- the audit chain
	('mg_sp_alice', NULL,
	 $$SELECT pg_catalog.concat_ws(' ', v.ok, v.entries, v.first_bad_seq) FROM modelgov.verify_audit_log() AS v$$,
	 '^ok:t [0-9]+$', 'verify_audit_log() verifies the chain'),
	('mg_sp_alice', NULL,
	 $$SELECT pg_catalog.concat_ws(' ', v.ok, v.entries, v.first_bad_seq)
		 FROM modelgov.audit_digest() AS d, modelgov.verify_audit_log(d.seq, d.hash) AS v$$,
	 '^ok:t [0-9]+$', 'verify_audit_log(seq, hash) verifies the digest of audit_digest()'),
	('mg_sp_alice', NULL,
	 $$SELECT pg_catalog.concat_ws(' ', v.ok, v.entries, v.first_bad_seq)
		 FROM modelgov.audit_digest() AS d, modelgov.verify_audit_log_since(d.seq, d.hash) AS v$$,
	 '^ok:t 1$', 'verify_audit_log_since(seq, hash) verifies the entry of the digest');
-- what anyone reads, as a member: the same as on the clean path
INSERT INTO mg_sp.story (who, stmt, what, read_only) VALUES
	('mg_sp_alice', $$SELECT modelgov.changelog()$$, 'changelog()', true),
	('mg_sp_alice',
	 $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', c.item, c.state), ', ' ORDER BY c.n)
		 FROM modelgov.release_checklist('1.0.1') WITH ORDINALITY AS c(item, state, evidence, n)$$,
	 'release_checklist()', true),
	('mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(' ', s.status, s.maintenance_until, s.migration_until)
		 FROM modelgov.support_status('1.0.1', '2024-02-20 00:00:00+00') AS s$$,
	 'support_status()', true),
	('mg_sp_alice',
	 $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', h.check_name, h.passed), ', ' ORDER BY h.check_name)
		 FROM modelgov.health_check('1.0.1', '2024-02-22') AS h$$,
	 'health_check()', true),
	('mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(' ', r OPERATOR(pg_catalog.->>) 'version', r OPERATOR(pg_catalog.->>) 'in_production_since',
			  pg_catalog.jsonb_array_length(r OPERATOR(pg_catalog.->) 'days'),
			  pg_catalog.jsonb_array_length(r OPERATOR(pg_catalog.->) 'alerts'))
		 FROM modelgov.incident_review('default', '2024-02-23 12:00:00+00') AS r$$,
	 'incident_review()', true),
	('mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(' ', v.ok, v.entries, v.first_bad_seq, d.seq)
		 FROM modelgov.audit_digest() AS d, modelgov.verify_audit_log(d.seq, d.hash) AS v$$,
	 'audit_digest() and verify_audit_log()', true),
	('mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(' ', modelgov.active_version(), modelgov.active_version('staging'),
			  modelgov.required_bump('bias_update'), modelgov.decide(0.9, 0.9, 0.9, 0.9, 'team0'),
			  modelgov.model_config() OPERATOR(pg_catalog.->) 'thresholds')$$,
	 'active_version(), required_bump(), decide() and model_config()', true),
	-- the process's formats (issue 12): audit entries, the export, the
	-- configuration file and the historical record
	('mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(' | ', modelgov.audit_entry(1) OPERATOR(pg_catalog.->>) 'event_type',
			  modelgov.audit_entry((SELECT pg_catalog.max(a.seq) FROM modelgov.audit_log AS a
									 WHERE a.event_type OPERATOR(pg_catalog.=) 'rollback'))::text,
			  COALESCE(modelgov.audit_entry(0)::text, 'none'))$$,
	 'audit_entry()', true),
	('mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(' ', pg_catalog.json_array_length(modelgov.audit_export('default')::json),
			  pg_catalog.json_array_length(modelgov.audit_export(NULL, ARRAY['deployment', 'rollback'], 2, NULL)::json),
			  modelgov.audit_export('default', ARRAY['no such event']))$$,
	 'audit_export(model, event_types, first_seq, last_seq)', true),
	('mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(E'\n', modelgov.config_file('default'), modelgov.config_file('default', '1.0.1'))$$,
	 'config_file(model) and config_file(model, version)', true),
	('mg_sp_alice',
	 $$SELECT modelgov.format_json(modelgov.version_record('default', '1.0.0'))$$,
	 'version_record(model, version)', true);

-- Part 2, 2024-03-01: three models; the calls that name their model
INSERT INTO mg_sp.story (part, who, at, stmt, expect, what) VALUES
	(2, 'mg_sp_admin', '2024-03-01 09:00:00+00',
	 $$SELECT modelgov.create_model('fraud', '{"weights": [1.0, -1.0], "thresholds": {"auto": 0.2, "escalate": 0.6}}',
									'Fraud screening')$$,
	 '^ok:1\.0\.0$', 'create_model creates fraud at 1.0.0'),
	(2, 'mg_sp_admin', NULL,
	 $$SELECT modelgov.create_model('churn', '{"version": "3.0.0", "weights": [0.5, 0.5],
											   "thresholds": {"auto": 0.3, "escalate": 0.7}}')$$,
	 '^ok:3\.0\.0$', 'create_model creates churn at the version its configuration names'),
	(2, 'mg_sp_mallory', NULL, $$SELECT modelgov.create_model('x', '{"weights": [1.0]}')$$,
	 '^42501 permission denied to create models', 'a non-member may not create models (42501)'),
	(2, 'mg_sp_alice', NULL, $$SELECT modelgov.active_version()$$,
	 '^55000 modelgov\.active_version\(\) without a model name needs a database with one model',
	 'the 0.1.0 calls need the model''s name once there are three (55000)'),
	(2, 'mg_sp_admin', NULL, $$SELECT modelgov.grant_duty('mg_sp_dave', 'deployer', 'fraud')$$,
	 '^ok:mg_sp_dave is deployer for model fraud$', 'grant_duty makes dave the deployer of fraud'),
	(2, 'mg_sp_admin', NULL, $$SELECT modelgov.grant_duty('mg_sp_dave', 'deployr', 'fraud')$$,
	 '^22P02 invalid duty "deployr"', 'a duty that is no label is refused, listing the labels (22P02)'),
	(2, 'mg_sp_admin', NULL, $$SELECT modelgov.grant_duty('mg_sp_dave', 'deployer', 'fraud')$$,
	 '^42710 member mg_sp_dave already holds the deployer duty for model fraud',
	 'a duty is granted once (42710)'),
	(2, 'mg_sp_admin', NULL, $$SELECT modelgov.grant_duty('mg_sp_alice', 'product_manager', 'churn')$$,
	 '^ok:mg_sp_alice is product_manager for model churn$', 'grant_duty for churn'),
	(2, 'mg_sp_admin', NULL, $$SELECT modelgov.revoke_duty('mg_sp_alice', 'product_manager', 'churn')$$,
	 '^ok:mg_sp_alice is no longer product_manager for model churn$', 'revoke_duty takes it back'),
	(2, 'mg_sp_admin', NULL, $$SELECT modelgov.revoke_duty('mg_sp_dave', 'deployer')$$,
	 '^42704 member mg_sp_dave does not hold the deployer duty for every model',
	 'a duty is revoked for the scope it was granted for (42704)'),
	(2, 'mg_sp_alice', NULL, $$SELECT modelgov.grant_duty('mg_sp_alice', 'deployer', 'fraud')$$,
	 '^42501 permission denied to grant duties', 'a member may not grant duties (42501)'),
	(2, 'mg_sp_alice', NULL,
	 $$SELECT modelgov.propose('fraud', 'threshold_change', 'Fraud: lower auto', '{"threshold_auto": 0.15}',
		'{"sample_size": 5000, "expected_auto_resolve_rate": 0.5, "expected_escalate_rate": 0.1}',
		'Roll back with modelgov.rollback().', 'Daily checks for 7 days.')$$,
	 '^ok:PROP_202403_001$', 'propose(model, ...) returns the first id of March 2024'),
	-- a second change of fraud against the same base, another key
	(2, 'mg_sp_alice', NULL,
	 $$SELECT modelgov.propose('fraud', 'threshold_change', 'Fraud: lower escalate', '{"threshold_escalate": 0.55}',
		'{"sample_size": 5000}', 'Roll back with modelgov.rollback().', 'Daily checks for 7 days.')$$,
	 '^ok:PROP_202403_002$', 'a second proposal of fraud, against the same base'),
	(2, 'mg_sp_bob', NULL, $$SELECT modelgov.review('PROP_202403_001', pg_temp.ck(), true)$$,
	 '^ok:in review: 1 of two approving reviews$', 'bob reviews the change to fraud'),
	(2, 'mg_sp_carol', NULL, $$SELECT modelgov.review('PROP_202403_001', pg_temp.ck(), true)$$,
	 '^ok:reviewed: waiting for approvals as model_science_lead, product_manager, engineering_lead$',
	 'carol reviews it'),
	(2, 'mg_sp_bob', NULL, $$SELECT modelgov.approve('PROP_202403_001', 'product_manger')$$,
	 '^22P02 invalid as_role "product_manger"', 'a committee role that is no label is refused (22P02)'),
	(2, 'mg_sp_bob', NULL, $$SELECT modelgov.approve()$$,
	 '^22004 modelgov\.approve\(\) needs proposal_id', 'a call without its proposal says so (22004)'),
	(2, 'mg_sp_carol', NULL, $$SELECT modelgov.approve('PROP_202403_001', 'product_manager')$$,
	 '^ok:reviewed: waiting for approvals as model_science_lead, engineering_lead$',
	 'carol approves as product_manager (of every model)'),
	(2, 'mg_sp_bob', NULL, $$SELECT modelgov.approve('PROP_202403_001', 'model_science_lead')$$,
	 '^ok:reviewed: waiting for approvals as engineering_lead$', 'bob approves as model_science_lead'),
	(2, 'mg_sp_dave', NULL, $$SELECT modelgov.approve('PROP_202403_001', 'engineering_lead')$$,
	 '^ok:approved: 1\.0\.1 created, waiting for staging$', 'dave approves as engineering_lead'),
	-- the second proposal is approved too: its target, 1.0.1, was taken meanwhile
	(2, 'mg_sp_ops', NULL, $$SELECT modelgov.review('PROP_202403_002', pg_temp.ck_none(), false, 'unsure')$$,
	 '^ok:in review: blocked by the negative review of automation@company\.com', 'a negative review blocks it'),
	(2, 'mg_sp_ops', NULL, $$SELECT modelgov.review('PROP_202403_002', pg_temp.ck(), true, 'convinced')$$,
	 '^ok:in review: 1 of two approving reviews$', 'its reviewer replaces it with an approving one'),
	(2, 'mg_sp_carol', NULL, $$SELECT modelgov.review('PROP_202403_002', pg_temp.ck(), true)$$,
	 '^ok:reviewed: ', 'carol reviews it'),
	(2, 'mg_sp_carol', NULL, $$SELECT modelgov.approve('PROP_202403_002', 'product_manager')$$,
	 '^ok:reviewed: ', 'carol approves it as product_manager'),
	(2, 'mg_sp_bob', NULL, $$SELECT modelgov.approve('PROP_202403_002', 'model_science_lead')$$,
	 '^ok:reviewed: ', 'bob approves it as model_science_lead'),
	(2, 'mg_sp_dave', NULL, $$SELECT modelgov.approve('PROP_202403_002', 'engineering_lead')$$,
	 '^ok:approved: 1\.0\.2 created, waiting for staging$', 'the final approval takes the next free number, 1.0.2'),
	(2, 'mg_sp_dave', NULL, $$SELECT modelgov.deploy('PROP_202403_001', 'staging')$$,
	 '^ok:1\.0\.1$', 'dave, the deployer of fraud, stages fraud 1.0.1'),
	(2, 'mg_sp_dave', NULL, $$SELECT modelgov.record_smoke_test('fraud', '1.0.1', true, '{"command": "pytest"}')$$,
	 '^ok:staged: 1\.0\.1 in staging, smoke test passed, waiting for the production deployment$',
	 'record_smoke_test(model, ...)'),
	(2, 'mg_sp_dave', NULL, $$SELECT modelgov.deploy('PROP_202403_001', 'production')$$,
	 '^ok:1\.0\.1$', 'dave deploys fraud 1.0.1 to production'),
	-- the second proposal is stale now: refused at staging, rebased, staged, withdrawn
	(2, 'mg_sp_dave', NULL, $$SELECT modelgov.deploy('PROP_202403_002', 'staging')$$,
	 '^55000 cannot deploy 1\.0\.2 to staging: proposal PROP_202403_002 changes 1\.0\.0, but 1\.0\.1 is active in production$',
	 'staging refuses a proposal whose base production left behind (55000)'),
	(2, 'mg_sp_bob', NULL, $$SELECT modelgov.rebase('PROP_202403_002')$$,
	 '^42501 permission denied to rebase proposal PROP_202403_002', 'only the proposer rebases (42501)'),
	(2, 'mg_sp_alice', NULL, $$SELECT modelgov.rebase('PROP_202403_002')$$,
	 '^ok:rebased: PROP_202403_002 now changes 1\.0\.1 into 1\.0\.3; version 1\.0\.3 created, waiting for staging$',
	 'rebase carries it onto 1.0.1 (1.0.2 stays, withdrawn)'),
	(2, 'mg_sp_dave', NULL, $$SELECT modelgov.deploy('PROP_202403_002', 'staging')$$,
	 '^ok:1\.0\.3$', 'dave stages the rebased 1.0.3'),
	(2, 'mg_sp_alice', NULL, $$SELECT modelgov.withdraw('PROP_202403_002', 'superseded by a retraining')$$,
	 '^ok:withdrawn: superseded by a retraining; staging runs 1\.0\.1 again$',
	 'withdrawing the staged proposal takes staging back to production''s version'),
	(2, 'mg_sp_dave', NULL, $$SELECT modelgov.rollback('default', 'not his model')$$,
	 '^42501 permission denied to roll back', 'but may not roll back the default model (42501)'),
	(2, 'mg_sp_ops', '2024-03-01 23:00:00+00',
	 $$SELECT modelgov.record_metrics('fraud', '1.0.1', '2024-03-01',
		'{"decisions": 10000, "auto": 5000, "ask": 4000, "escalate": 1000, "errors": 50,
		  "feature_availability": 0.995, "latency_p99_ms": 50, "correct_auto": 0.95}')$$,
	 '^ok:$', 'record_metrics(model, ...)'),
	(2, 'mg_sp_ops', NULL,
	 $$SELECT modelgov.correct_metrics('fraud', '1.0.1', '2024-03-01',
		'{"decisions": 10000, "auto": 5010, "ask": 3990, "escalate": 1000, "errors": 50,
		  "feature_availability": 0.995, "latency_p99_ms": 51, "correct_auto": 0.95}', 'late events')$$,
	 '^ok:2$', 'correct_metrics(model, ...) writes revision 2'),
	(2, 'mg_sp_alice', NULL, $$SELECT modelgov.monitor('fraud', true)$$,
	 '^42501 permission denied to monitor with automatic rollback',
	 'a member who deploys nothing may not monitor(model, true) (42501)'),
	(2, 'mg_sp_ops', NULL,
	 $$SELECT pg_catalog.concat_ws(' ', pg_catalog.count(*), pg_catalog.string_agg(m.action, ','))
		 FROM modelgov.monitor(NULL, true) AS m$$,
	 '^ok:10 alert,alert,alert,alert,alert,alert$',
	 'monitor(NULL, true) checks fraud''s first day: five checks and five triggers; without history, six alerts'),
	(2, 'mg_sp_ops', NULL,
	 $$SELECT pg_catalog.count(*) FROM modelgov.monitor('fraud') AS m$$,
	 '^ok:10$', 'monitor(model) checks one model'),
	(2, 'mg_sp_alice', NULL,
	 $$SELECT pg_catalog.concat_ws(' ', pg_catalog.count(*),
			  pg_catalog.count(m.action) FILTER (WHERE m.action OPERATOR(pg_catalog.<>) 'not recorded (reporting only)'),
			  pg_catalog.min(m.model_name))
		 FROM modelgov.monitor(NULL) AS m$$,
	 '^ok:10 0 fraud$', 'a member''s monitor(NULL) reports the same checks and records none'),
	(2, 'mg_sp_ops', '2024-03-02 08:00:00+00', $$SELECT modelgov.rollback('fraud', 'Fraud drill')$$,
	 '^ok:1\.0\.0$', 'rollback(model, reason) rolls fraud back to 1.0.0'),
	(2, 'mg_sp_alice', NULL, $$SELECT modelgov.attest('fraud', '1.0.0', 'tests_pass', 'CI run 500')$$,
	 '^ok:$', 'attest(model, ...)'),
	(2, 'mg_sp_alice', NULL, $$SELECT modelgov.release('fraud', '1.0.0')$$,
	 '^55000 cannot release version 1\.0\.0: the release checklist is incomplete',
	 'release(model, version) needs the other attestations (55000)'),
	-- open work left at the end: a proposal of fraud with one review
	(2, 'mg_sp_alice', NULL,
	 $$SELECT modelgov.propose('fraud', 'bias_update', 'Fraud: a bias for the web channel', '{"biases": {"web": 0.05}}',
		'{"sample_size": 5000}', 'Roll back with modelgov.rollback().', 'Daily checks for 7 days.')$$,
	 '^ok:PROP_202403_003$', 'a third proposal of fraud, left open'),
	(2, 'mg_sp_bob', NULL, $$SELECT modelgov.review('PROP_202403_003', pg_temp.ck(), true)$$,
	 '^ok:in review: 1 of two approving reviews$', 'bob reviews it'),
	(2, 'mg_sp_alice', NULL, $$SELECT modelgov.retire_model('churn', 'Replaced by a vendor score')$$,
	 '^42501 permission denied to retire models', 'a member may not retire models (42501)'),
	(2, 'mg_sp_admin', NULL, $$SELECT modelgov.retire_model('churn', 'Replaced by a vendor score')$$,
	 '^ok:retired: churn, no longer scored$', 'retire_model retires churn'),
	(2, 'mg_sp_alice', NULL,
	 $$SELECT modelgov.propose('churn', 'threshold_change', 'x', '{"threshold_auto": 0.2}', NULL, NULL, NULL)$$,
	 '^55000 model "churn" is retired', 'a retired model takes no proposal (55000)'),
	(2, 'mg_sp_alice', NULL,
	 $$SELECT pg_catalog.concat_ws(' ', v.ok, v.entries, v.first_bad_seq) FROM modelgov.verify_audit_log() AS v$$,
	 '^ok:t [0-9]+$', 'verify_audit_log() verifies the one chain of the three models');
-- what anyone reads of a named model, as a member: the same as on the clean path
INSERT INTO mg_sp.story (part, who, stmt, what, read_only) VALUES
	(2, 'mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(' ', modelgov.active_version('fraud', 'production'),
			  modelgov.active_version('fraud', 'staging'), modelgov.model_config('fraud') OPERATOR(pg_catalog.->) 'thresholds',
			  modelgov.model_config('fraud', '1.0.1') OPERATOR(pg_catalog.->) 'thresholds')$$,
	 'active_version(model, env) and model_config(model, version)', true),
	(2, 'mg_sp_alice',
	 $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', h.check_name, h.observed, h.passed), ', ' ORDER BY h.check_name)
		 FROM modelgov.health_check('fraud', '1.0.1', '2024-03-01') AS h$$,
	 'health_check(model, version, day)', true),
	(2, 'mg_sp_alice',
	 $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', c.item, c.state), ', ' ORDER BY c.n)
		 FROM modelgov.release_checklist('fraud', '1.0.0') WITH ORDINALITY AS c(item, state, evidence, n)$$,
	 'release_checklist(model, version)', true),
	(2, 'mg_sp_alice',
	 $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', v.v, s.status, s.maintenance_until, s.migration_until), ', ')
		 FROM (VALUES ('1.0.0'), ('1.0.1')) AS v(v), modelgov.support_status('fraud', v.v::modelgov.semver, NULL) AS s$$,
	 'support_status(model, version, at)', true),
	(2, 'mg_sp_alice', $$SELECT pg_catalog.concat(modelgov.changelog('fraud'), modelgov.changelog('fraud', '1.0.0'))$$,
	 'changelog(model) and changelog(model, since)', true),
	(2, 'mg_sp_alice',
	 $$SELECT pg_catalog.concat_ws(' ', modelgov.decide('fraud', ARRAY[0.3, 0.0]), modelgov.score('fraud', ARRAY[0.3, 0.0]),
			  modelgov.decide('default', 0.9, 0.9, 0.9, 0.9, 'team0'),
			  modelgov.explain('fraud', ARRAY[0.3, 0.0]) OPERATOR(pg_catalog.->>) 'version')$$,
	 'decide(model, ...), score(model, ...) and explain(model, ...)', true),
	(2, 'mg_sp_alice',
	 $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', i.model, i.status, i.production_version, i.staging_version,
														  i.last_rollback OPERATOR(pg_catalog.->>) 'reason',
														  i.previous_support, i.open_proposals, i.duties), '; ' ORDER BY i.model)
		 FROM modelgov.inventory AS i$$,
	 'the inventory', true),
	(2, 'mg_sp_alice',
	 $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', w.model, w.proposal_id, w.status, w.step, w.waits_for,
														  w.who, w.due), '; ' ORDER BY w.proposal_id, w.step)
		 FROM modelgov.open_work AS w$$,
	 'open_work', true),
	(2, 'mg_sp_carol',
	 $$SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', w.model, w.proposal_id, w.step, w.due_now), '; '
								   ORDER BY w.proposal_id, w.step)
		 FROM modelgov.my_work AS w$$,
	 'my_work', true);
UPDATE mg_sp.story SET expect = '^ok:fraud PROP_202403_003 in_review review two approving reviews \(1 so far\) '
								'\{mg_sp_carol,mg_sp_dave,mg_sp_ops\}; '
								'fraud rolled back root-cause analysis the root cause of the rollback from 1\.0\.1 to 1\.0\.0 '
								'\(audit entry [0-9]+\), recorded with modelgov\.annotate\([0-9]+, root_cause\) '
								'\{mg_sp_bob\} 2024-03-07 08:00:00\+00$'
 WHERE what = 'open_work';
UPDATE mg_sp.story SET expect = '^ok:fraud PROP_202403_003 review f$' WHERE what = 'my_work';
UPDATE mg_sp.story SET expect = '^ok:init \| \{"timestamp" : "2024-02-23T12:00:00Z", "event_type" : "rollback", '
								'"from_version" : "1\.0\.1", "to_version" : "1\.0\.0", "reason" : "Rollback drill", '
								'"rolled_back_by" : "automation@company\.com", "root_cause" : "TBD - scheduled analysis", '
								'"status" : "completed"\} \| none$'
 WHERE what = 'audit_entry()';
UPDATE mg_sp.story SET expect = '^ok:[0-9]+ 3 \[\]$'
 WHERE what = 'audit_export(model, event_types, first_seq, last_seq)';
UPDATE mg_sp.story SET expect = E'^ok:\\{\n  "version": "1\\.0\\.0",\n  "released_at": "2024-01-15T00:00:00Z",\n'
								|| E'  "weights": \\[0\\.30, 0\\.30, 0\\.20, 0\\.20\\],\n  "biases": \\{ "default": 0\\.0 \\},\n'
								|| E'  "thresholds": \\{\n    "auto": 0\\.15,\n    "escalate": 0\\.50\n  \\}\n\\}\n'
								|| E'\\{\n  "version": "1\\.0\\.1",\n  "released_at": "2024-02-16T10:00:00Z",\n'
								|| E'  "weights": \\[0\\.30, 0\\.30, 0\\.20, 0\\.20\\],\n  "biases": \\{ "default": 0\\.0 \\},\n'
								|| E'  "thresholds": \\{\n    "auto": 0\\.18,\n    "escalate": 0\\.48\n  \\}\n\\}$'
 WHERE what = 'config_file(model) and config_file(model, version)';
UPDATE mg_sp.story SET expect = E'^ok:\\{\n  "version": "1\\.0\\.0",\n  "released_at": "2024-01-15T00:00:00Z",\n'
								|| E'  "weights": \\[0\\.30, 0\\.30, 0\\.20, 0\\.20\\],\n  "threshold_auto": 0\\.15,\n'
								|| E'  "threshold_escalate": 0\\.50,\n  "performance": null,\n  "status": "active",\n'
								|| E'  "superseded_by": "1\\.0\\.1"\n\\}$'
 WHERE what = 'version_record(model, version)';

-- Run the steps (only the read-only ones with only_reads) and keep what
-- they return.  Not pinned: the statements run under the caller's path.
-- It uses nothing unqualified itself, or the traps would tell.
CREATE FUNCTION mg_sp.run_story(part integer, only_reads boolean) RETURNS integer
	LANGUAGE plpgsql AS $$
DECLARE
	s record;
	r pg_catalog.text;
	n pg_catalog.int4 := 0;
BEGIN
	FOR s IN SELECT x.* FROM mg_sp.story x
			  WHERE x.part OPERATOR(pg_catalog.=) run_story.part AND (x.read_only OR NOT only_reads)
			  ORDER BY x.n LOOP
		RESET ROLE;
		IF s.at IS NOT NULL THEN
			PERFORM pg_catalog.set_config('modelgov.clock', s.at, false);
		END IF;
		EXECUTE pg_catalog.format('SET ROLE %I', s.who);
		r := pg_temp.attempt(s.stmt);
		RESET ROLE;
		IF only_reads THEN
			UPDATE mg_sp.story x SET clean = r WHERE x.n OPERATOR(pg_catalog.=) s.n;
		ELSE
			UPDATE mg_sp.story x SET result = r WHERE x.n OPERATOR(pg_catalog.=) s.n;
		END IF;
		n := pg_catalog.int4pl(n, 1);
	END LOOP;
	RETURN n;
END
$$;

-- Under the hostile path.  pgTAP's own functions and this file's queries
-- would reach the traps too, so nothing is asserted while it is set; the
-- counters are read by functions that pin it.
SET search_path = pg_temp, public, pg_catalog;
SELECT mg_sp.run_story(1, false) AS steps1 \gset
SELECT pg_catalog.count(*) AS s_traps_fired1 FROM mg_sp.fired() AS f WHERE f.times OPERATOR(pg_catalog.>) 0 \gset
RESET search_path;
SELECT mg_sp.run_story(1, true) AS reads1 \gset
SET search_path = pg_temp, public, pg_catalog;
SELECT mg_sp.run_story(2, false) AS steps2 \gset
SELECT pg_catalog.count(*) AS s_traps_fired2 FROM mg_sp.fired() AS f WHERE f.times OPERATOR(pg_catalog.>) 0 \gset
RESET search_path;
SELECT mg_sp.run_story(2, true) AS reads2 \gset
RESET modelgov.clock;

SELECT is(:'s_traps_fired1'::bigint, 0::bigint, 'nothing part 1 of the story did fired a trap (read under the hostile path)');
SELECT is(:'s_traps_fired2'::bigint, 0::bigint, 'nor did part 2, with three models (read under the hostile path)');
SELECT is_empty($$SELECT f.trap, f.times FROM mg_sp.fired() f WHERE f.times > 0$$,
				'no trap fired during the story: every function used pg_catalog and its own schema');
SELECT is(:'steps1'::int + :'steps2'::int, (SELECT count(*)::int FROM mg_sp.story), 'every step of the story ran');
SELECT matches(s.result, s.expect, s.what) FROM mg_sp.story s WHERE s.expect IS NOT NULL ORDER BY s.n;
SELECT is(s.result, s.clean, s.what || ': the same under the hostile path as on the clean path')
  FROM mg_sp.story s WHERE s.read_only ORDER BY s.n;
SELECT is((SELECT s.result FROM mg_sp.story s WHERE s.what = 'annotate appends an annotation of the rollback'),
		  (SELECT 'ok:' || max(a.seq) FROM modelgov.audit_log a WHERE a.event_type = 'annotation'),
		  'annotate returns the seq of the annotation');

------------------------------------------------------------------------------
-- (c) Coverage: the story called every SECURITY DEFINER function of the
-- extension (none was called before the hostile path was set)
------------------------------------------------------------------------------
SELECT is_empty(
	$$SELECT d.fn FROM mg_sp.secdef d
	   WHERE NOT EXISTS (SELECT 1 FROM pg_stat_xact_user_functions s WHERE s.funcid = d.oid AND s.calls > 0)
	   ORDER BY 1$$,
	'the story called every SECURITY DEFINER function of the extension (these were not called)');

------------------------------------------------------------------------------
-- Controls: the traps fire for functions that are not pinned
------------------------------------------------------------------------------
-- A check written like the extension's own, once without SET search_path
-- and once with it.
DO $$
DECLARE
	body text := $b$
DECLARE
	n bigint;
BEGIN
	SELECT count(*) INTO n FROM modelgov.members x WHERE x.role_name = who;
	IF jsonb_typeof(checklist) <> 'object' OR n < 1 OR modelgov.clock_now() > at THEN
		RETURN 'refused';
	END IF;
	RETURN 'checked ' || (checklist || '{"checked": true}')::text;
END
$b$;
BEGIN
	EXECUTE format('CREATE FUNCTION mg_sp.check_unpinned(who text, checklist jsonb, at timestamptz) RETURNS text '
				   'LANGUAGE plpgsql SECURITY DEFINER AS %L', body);
	EXECUTE format('CREATE FUNCTION mg_sp.check_pinned(who text, checklist jsonb, at timestamptz) RETURNS text '
				   'LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS %L', body);
END
$$;
SELECT mg_sp.clear() AS cleared \gset
SET search_path = pg_temp, public, pg_catalog;
SELECT mg_sp.check_pinned('mg_sp_alice', '{}', 'infinity') AS c_pinned \gset
SELECT pg_temp.attempt($$SELECT pg_catalog.count(*) FROM mg_sp.fired() AS f
		WHERE f.times OPERATOR(pg_catalog.>) 0$$) AS c_pinned_fired \gset
SELECT mg_sp.check_unpinned('mg_sp_alice', '{}', 'infinity') AS c_unpinned \gset
RESET search_path;
SELECT is(:'c_pinned'::text, 'checked {"checked": true}', 'control: the pinned check works under the hostile path');
SELECT is(:'c_pinned_fired'::text, 'ok:0', 'control: the pinned check fires no trap');
SELECT is(:'c_unpinned'::text, :'c_pinned', 'control: the unpinned check returns the same (a trap behaves like what it shadows)');
SELECT set_eq(
	$$SELECT f.trap FROM mg_sp.fired() f WHERE f.times > 0$$,
	ARRAY['public.=(text,text)', 'public.jsonb_typeof(jsonb)', 'public.<>(text,text)', 'public.<(bigint,integer)',
		  'public.>(timestamp with time zone,timestamp with time zone)', 'public.||(jsonb,jsonb)',
		  'public.||(text,text)'],
	'control: the same check without SET search_path fires the trap of every operator and function it uses');

-- every trap in public is found first by an unpinned function
SELECT mg_sp.clear() AS cleared \gset
SET search_path = pg_temp, public, pg_catalog;
SELECT mg_sp.probe_traps('public') AS c_public \gset
RESET search_path;
SELECT is_empty($$SELECT f.trap FROM mg_sp.fired() f WHERE f.trap LIKE 'public.%' AND f.times = 0$$,
				'control: an unpinned function reaches every trap in public (these it did not)');

-- pg_temp: PostgreSQL never looks up functions or operators there unless
-- they are named with it, but finds tables and views there first, even
-- for a function pinned to pg_catalog, pg_temp: that is why the extension
-- qualifies its own tables.  A look-alike fires only for the rows it reads:
-- the story leaves a row in every table (in duties, dave's duty for fraud)
-- and an open proposal, for open_work and my_work.
SELECT mg_sp.clear() AS cleared \gset
SET search_path = pg_temp, public, pg_catalog;
SELECT mg_sp.probe_traps('pg_temp') AS c_temp \gset
RESET search_path;
SELECT is_empty($$SELECT f.trap FROM mg_sp.fired() f JOIN mg_sp.traps t ON t.name = f.trap
				   WHERE t.kind = 'relation' AND f.times = 0$$,
				'control: an unpinned function reaches every view planted in pg_temp (these it did not)');
SELECT is_empty($$SELECT f.trap FROM mg_sp.fired() f JOIN mg_sp.traps t ON t.name = f.trap
				   WHERE t.kind <> 'relation' AND f.trap LIKE 'pg\_temp.%' AND f.times > 0$$,
				'control: an unqualified name never reaches an operator or function in pg_temp');
SELECT mg_sp.clear() AS cleared \gset
SELECT ok(NULL::text OPERATOR(pg_temp.=) NULL::text IS NULL AND pg_temp.jsonb_typeof('{}') = 'object',
		  'control: named with pg_temp, the operators and functions planted there answer as the real ones');
SELECT set_eq($$SELECT f.trap FROM mg_sp.fired() f WHERE f.times > 0$$,
			  ARRAY['pg_temp.=(text,text)', 'pg_temp.jsonb_typeof(jsonb)'],
			  'control: and they fire');
SELECT mg_sp.clear() AS cleared \gset
CREATE FUNCTION mg_sp.unqualified_table() RETURNS bigint
	LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$SELECT count(*) FROM audit_log$$;
SELECT is(mg_sp.unqualified_table(), pg_temp.audit_count(),
		  'control: a function pinned to pg_catalog, pg_temp that names audit_log unqualified reads the look-alike');
SELECT set_eq($$SELECT f.trap FROM mg_sp.fired() f WHERE f.times > 0$$, ARRAY['pg_temp.audit_log'],
			  'control: and fires its trap');

-- a trap that fired in a statement that failed still counts
SELECT mg_sp.clear() AS cleared \gset
SET search_path = pg_temp, public, pg_catalog;
SELECT pg_temp.dry($$SELECT mg_sp.check_unpinned('mg_sp_alice', '{}', 'infinity')$$) AS c_dry \gset
RESET search_path;
SELECT is(:'c_dry'::text, 'accepted', 'control: the unpinned check ran and was undone');
SELECT cmp_ok((SELECT count(*) FROM mg_sp.fired() f WHERE f.times > 0), '=', 7::bigint,
			  'control: the traps it fired still count after the rollback of its subtransaction');

SELECT * FROM finish();
ROLLBACK;
