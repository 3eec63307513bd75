--
-- versions.sql
--		The seed's causes of each version bump, as a proposal expresses
--		them (issue 12, item 4): a change declared breaking, with its cause
--		and migration note, is MAJOR; a feature appended without a default
--		is a required new input, MAJOR (not refused); a feature's logic
--		changed in code (feature_modification, configuration unchanged) is
--		accepted like bug_fix; a proposal declares every change type its
--		change contains, the bump is the largest, and an undeclared change
--		(or a declared one the change does not contain) is refused.  Each
--		case checks the target version, the change types recorded and the
--		proposal's audit entry.
--
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser (pg_prove connects as postgres).
--
BEGIN;
\ir helpers.psql
SELECT plan(54);

SET LOCAL modelgov.clock = '2024-02-16 10:00:00+00';
CREATE ROLE mg_vr_alice NOLOGIN;
GRANT USAGE ON SCHEMA modelgov TO mg_vr_alice;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_vr_alice;
SELECT modelgov.create_model('triage',
	'{"features": [{"name": "f1"}, {"name": "f2"}], "weights": [0.5, 0.5],
	  "thresholds": {"auto": 0.15, "escalate": 0.5}}', 'versions suite') IS NOT NULL AS created \gset
SELECT modelgov.add_member('mg_vr_alice', 'alice@vr.com') IS NOT NULL AS added \gset

-- the proposal: target, declared type, and its audit entry's change types,
-- bump and breaking declaration
CREATE FUNCTION pg_temp.proposal(id text) RETURNS text
	LANGUAGE sql AS $$
	SELECT format('%s %s -> %s %s', p.change_type, p.base_version, p.target_version, p.status)
	  FROM modelgov.proposals p WHERE p.proposal_id = id
$$;
CREATE FUNCTION pg_temp.audited(id text) RETURNS jsonb
	LANGUAGE sql AS $$
	SELECT jsonb_build_object('version', a.version::text, 'change_type', a.change_type,
							  'change_types', a.details -> 'change_types', 'bump', a.details -> 'bump',
							  'breaking', a.details -> 'breaking')
	  FROM modelgov.audit_log a WHERE a.proposal_id = id AND a.event_type = 'proposal'
$$;

SET LOCAL ROLE mg_vr_alice;
SET LOCAL client_min_messages = error;	-- propose warns of other open proposals changing the same keys

--
-- 1. A breaking change: impact_analysis "breaking" with its cause and
-- migration note forces MAJOR, whatever the change types require.
--
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'threshold_change', 'New escalation API',
		'{"threshold_escalate": 0.48}',
		'{"breaking": {"cause": "incompatible_api", "migration": "Read decisions from decide_v2(); decide() keeps ASK for ESCALATE."}}',
		NULL, NULL)$$), 'no error', 'a threshold_change declared breaking can be proposed');
SELECT is(pg_temp.proposal(max(proposal_id)), 'threshold_change 1.0.0 -> 2.0.0 proposed',
		  'declared breaking, a threshold_change (patch) targets the next MAJOR, 2.0.0')
  FROM modelgov.proposals;
SELECT is(pg_temp.audited(max(proposal_id)),
		  '{"version": "2.0.0", "change_type": "threshold_change", "change_types": ["threshold_change"], "bump": "major",
			"breaking": {"cause": "incompatible_api", "migration": "Read decisions from decide_v2(); decide() keeps ASK for ESCALATE."}}',
		  'its audit entry records the change types, the MAJOR bump and the breaking declaration')
  FROM modelgov.proposals;
SELECT is((SELECT p.impact_analysis -> 'breaking' ->> 'cause' FROM modelgov.proposals p
			WHERE p.proposal_id = (SELECT max(proposal_id) FROM modelgov.proposals)),
		  'incompatible_api', 'the proposal keeps the declaration in its impact_analysis');
-- a change in code only: architecture, declared on a performance_fix
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'performance_fix', 'Score in the new engine',
		'{}', '{"breaking": {"cause": "architecture", "migration": "Callers move to the v2 engine endpoint."}}',
		NULL, NULL)$$), 'no error', 'a performance_fix declared breaking (architecture) can be proposed');
SELECT is(pg_temp.proposal(max(proposal_id)), 'performance_fix 1.0.0 -> 2.0.0 proposed',
		  'an architecture change targets 2.0.0') FROM modelgov.proposals;
-- a major process change, through the 0.1.0 form without a model (one model here)
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('bug_fix', 'Decisions now need a second reviewer',
		'{}', '{"breaking": {"cause": "process", "migration": "Route ESCALATE to the review queue."}}')$$),
		  'no error', 'the 0.1.0 form takes the declaration too');
SELECT is(pg_temp.proposal(max(proposal_id)), 'bug_fix 1.0.0 -> 2.0.0 proposed',
		  'a major process change targets 2.0.0') FROM modelgov.proposals;
SELECT is(pg_temp.audited(max(proposal_id)) -> 'breaking' ->> 'cause', 'process',
		  'its audit entry names the cause') FROM modelgov.proposals;
-- the declaration is checked
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'bug_fix', 'x', '{}',
		'{"breaking": {"cause": "incompatible_api"}}', NULL, NULL)$$),
		  '22023 invalid impact_analysis | breaking needs a migration note: {"cause": "architecture" | "incompatible_api" | "process", "migration": "..."}.',
		  'a breaking declaration without a migration note is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'bug_fix', 'x', '{}',
		'{"breaking": {"cause": "incompatible_api", "migration": "  "}}', NULL, NULL)$$),
		  '22023 invalid impact_analysis | breaking needs a migration note: {"cause": "architecture" | "incompatible_api" | "process", "migration": "..."}.',
		  'a blank migration note is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'bug_fix', 'x', '{}',
		'{"breaking": {"cause": "mood", "migration": "m"}}', NULL, NULL)$$),
		  '22023 invalid impact_analysis | breaking.cause is "architecture", "incompatible_api" or "process", not "mood".',
		  'an unknown cause is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'bug_fix', 'x', '{}',
		'{"breaking": true}', NULL, NULL)$$),
		  '22023 invalid impact_analysis | breaking is an object: {"cause": "architecture" | "incompatible_api" | "process", "migration": "..."}.',
		  '"breaking": true without a cause and a note is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'bug_fix', 'x', '{}',
		'{"breaking": {"cause": "process", "migration": "m", "migration_note": "typo"}}', NULL, NULL)$$),
		  '22023 invalid impact_analysis | breaking holds only "cause" and "migration", not "migration_note".',
		  'an unknown key in the declaration is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'bug_fix', 'x', '{}',
		jsonb_build_object('breaking', jsonb_build_object('cause', 'process', 'migration', repeat('m', 10001))), NULL, NULL)$$),
		  '54000 breaking.migration is too long | It has 10001 characters; at most 10000 are allowed.',
		  'a migration note over 10000 characters is refused (54000)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'bug_fix', 'Not breaking', '{}',
		'{"breaking": null}', NULL, NULL)$$), 'no error', '"breaking": null declares nothing');
SELECT is(pg_temp.proposal(max(proposal_id)), 'bug_fix 1.0.0 -> 1.0.1 proposed',
		  'and the bump is the policy''s') FROM modelgov.proposals;
SELECT is(pg_temp.audited(max(proposal_id)) -> 'breaking', 'null'::jsonb,
		  'its audit entry has no breaking declaration') FROM modelgov.proposals;

--
-- 2. A feature appended without a default is a required new input: MAJOR,
-- computed, not refused.
--
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'feature_addition', 'f3, required',
		'{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}], "weights": [0.5, 0.5, 0.1]}',
		NULL, NULL, NULL)$$), 'no error', 'a feature appended without a default can be proposed');
SELECT is(pg_temp.proposal(max(proposal_id)), 'feature_addition 1.0.0 -> 2.0.0 proposed',
		  'it targets the next MAJOR, 2.0.0, though feature_addition''s policy is minor') FROM modelgov.proposals;
SELECT is(pg_temp.audited(max(proposal_id)) - 'breaking',
		  '{"version": "2.0.0", "change_type": "feature_addition", "change_types": ["feature_addition"], "bump": "major"}',
		  'its audit entry records the MAJOR bump') FROM modelgov.proposals;
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'feature_addition', 'f3, optional',
		'{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3", "default": 0}], "weights": [0.5, 0.5, 0.1]}',
		NULL, NULL, NULL)$$), 'no error', 'a feature appended with a default');
SELECT is(pg_temp.proposal(max(proposal_id)), 'feature_addition 1.0.0 -> 1.1.0 proposed',
		  'stays MINOR (old inputs keep working)') FROM modelgov.proposals;
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'feature_addition', 'f0 first',
		'{"features": [{"name": "f0", "default": 0}, {"name": "f1"}, {"name": "f2"}], "weights": [0.1, 0.5, 0.5]}',
		NULL, NULL, NULL)$$), 'no error', 'a feature inserted before the others, with a default');
SELECT is(pg_temp.proposal(max(proposal_id)), 'feature_addition 1.0.0 -> 2.0.0 proposed',
		  'is MAJOR: old inputs would shift') FROM modelgov.proposals;

--
-- 3. A feature's logic changed in code: feature_modification with the
-- configuration unchanged is accepted with its description, like bug_fix.
--
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'feature_modification',
		'f2 now counts reopened tickets too', '{}', NULL, NULL, NULL)$$),
		  'no error', 'a feature_modification that changes no configuration can be proposed');
SELECT is(pg_temp.proposal(max(proposal_id)), 'feature_modification 1.0.0 -> 2.0.0 proposed',
		  'it targets the bump of its policy, MAJOR') FROM modelgov.proposals;
SELECT is((SELECT p.description || ' | ' || p.new_values::text FROM modelgov.proposals p
			WHERE p.proposal_id = (SELECT max(proposal_id) FROM modelgov.proposals)),
		  'f2 now counts reopened tickets too | {}', 'with its description and no new values');
SELECT is(pg_temp.audited(max(proposal_id)) - 'breaking',
		  '{"version": "2.0.0", "change_type": "feature_modification", "change_types": ["feature_modification"], "bump": "major"}',
		  'and its audit entry') FROM modelgov.proposals;
-- the other types still need a change
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'weights_update', 'same', '{}', NULL, NULL, NULL)$$),
		  '22023 proposal changes nothing | new_values leave the configuration of 1.0.0 as it is.',
		  'a weights_update that changes nothing is still refused (22023)');
SELECT is(pg_temp.hint_of($$SELECT modelgov.propose('triage', 'weights_update', 'same', '{}', NULL, NULL, NULL)$$),
		  '22023 Only bug_fix, performance_fix and feature_modification proposals may keep the configuration unchanged.',
		  'its hint names the three change types that may');

--
-- 4. Several change types: impact_analysis "change_types" declares every
-- type the change contains; the bump is the largest.
--
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'weights_update', 'weights and thresholds',
		'{"weights": [0.6, 0.4], "threshold_auto": 0.18}', NULL, NULL, NULL)$$),
		  '22023 declared change type weights_update does not cover the change | The change from 1.0.0 contains: weights_update, threshold_change.',
		  'one declared type does not cover two (22023)');
SELECT is(pg_temp.hint_of($$SELECT modelgov.propose('triage', 'weights_update', 'weights and thresholds',
		'{"weights": [0.6, 0.4], "threshold_auto": 0.18}', NULL, NULL, NULL)$$),
		  '22023 Declare every change type the change contains (impact_analysis "change_types" lists the others), or split it into several proposals.',
		  'its hint says how to declare several');
SELECT is(pg_temp.hint_of($$SELECT modelgov.propose('triage', 'weights_update', 'only thresholds',
		'{"threshold_auto": 0.18}', NULL, NULL, NULL)$$),
		  '22023 Declare the change type the change really is, or split it into several proposals.',
		  'a change of one other type keeps the 0.1.0 hint');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'weights_update', 'weights and thresholds',
		'{"weights": [0.6, 0.4], "threshold_auto": 0.18}', '{"change_types": ["threshold_change"]}', NULL, NULL)$$),
		  'no error', 'declaring both, weights_update and threshold_change, is accepted');
SELECT is(pg_temp.proposal(max(proposal_id)), 'weights_update 1.0.0 -> 1.1.0 proposed',
		  'the bump is the larger, MINOR') FROM modelgov.proposals;
SELECT is(pg_temp.audited(max(proposal_id)) - 'breaking',
		  '{"version": "1.1.0", "change_type": "weights_update", "change_types": ["weights_update", "threshold_change"], "bump": "minor"}',
		  'the audit entry lists both declared types (enum order)') FROM modelgov.proposals;
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'threshold_change', 'listed in full',
		'{"weights": [0.6, 0.4], "threshold_auto": 0.18}',
		'{"change_types": ["threshold_change", "weights_update"], "expected_escalate_rate": 0.08}', NULL, NULL)$$),
		  'no error', 'the list may repeat the change_type argument');
SELECT is(pg_temp.proposal(max(proposal_id)), 'threshold_change 1.0.0 -> 1.1.0 proposed',
		  'the proposal keeps the argument as its change_type; the bump is still MINOR') FROM modelgov.proposals;
-- a rename: appended under the new name, removed under the old, one proposal
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'feature_removal', 'Rename f2 to f2b',
		'{"features": [{"name": "f1"}, {"name": "f2b"}], "weights": [0.5, 0.5]}',
		'{"change_types": ["feature_addition"]}', NULL, NULL)$$),
		  'no error', 'a rename, feature_removal and feature_addition, is one proposal');
SELECT is(pg_temp.proposal(max(proposal_id)), 'feature_removal 1.0.0 -> 2.0.0 proposed',
		  'MAJOR') FROM modelgov.proposals;
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'bug_fix', 'fix, and thresholds',
		'{"threshold_auto": 0.2}', '{"change_types": ["threshold_change"]}', NULL, NULL)$$),
		  'no error', 'a bug_fix may come with the configuration change it needs, declared');
SELECT is(pg_temp.proposal(max(proposal_id)), 'bug_fix 1.0.0 -> 1.0.1 proposed',
		  'PATCH') FROM modelgov.proposals;
-- undeclared and over-declared changes stay refused
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'weights_update', 'three changes, two declared',
		'{"weights": [0.6, 0.4], "threshold_auto": 0.18, "calibration": {"method": "temperature", "T": 2}}',
		'{"change_types": ["threshold_change"]}', NULL, NULL)$$),
		  '22023 declared change types weights_update, threshold_change do not cover the change | The change from 1.0.0 contains: weights_update, threshold_change, calibration_update.',
		  'a change type the change contains but nobody declared is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'threshold_change', 'claims a weights update',
		'{"threshold_auto": 0.18}', '{"change_types": ["weights_update"]}', NULL, NULL)$$),
		  '22023 declared change type weights_update is not in the change | The change from 1.0.0 contains: threshold_change.',
		  'a declared configuration change the change does not contain is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'threshold_change', 'x',
		'{"threshold_auto": 0.18}', '{"change_types": ["weight_update"]}', NULL, NULL)$$),
		  '22023 invalid impact_analysis | change_types lists change types (modelgov.change_type), not "weight_update".',
		  'an unknown change type in the list is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'threshold_change', 'x',
		'{"threshold_auto": 0.18}', '{"change_types": "weights_update"}', NULL, NULL)$$),
		  '22023 invalid impact_analysis | change_types is an array of change types, like ["weights_update", "threshold_change"].',
		  'change_types that is not an array is refused (22023)');
-- several types and breaking: MAJOR
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('triage', 'weights_update', 'retrained in the new engine',
		'{"weights": [0.6, 0.4], "threshold_auto": 0.18}',
		'{"change_types": ["threshold_change"], "breaking": {"cause": "architecture", "migration": "Use the v2 engine."}}',
		NULL, NULL)$$), 'no error', 'several types and breaking');
SELECT is(pg_temp.audited(max(proposal_id)) - 'breaking',
		  '{"version": "2.0.0", "change_type": "weights_update", "change_types": ["weights_update", "threshold_change"], "bump": "major"}',
		  'MAJOR, with both types recorded') FROM modelgov.proposals;
RESET ROLE;

--
-- 5. rebase() keeps what propose() declared: a bias_update reaches
-- production as 1.0.1, and the open proposals made against 1.0.0 are
-- carried onto it with their declared types and their MAJOR bumps.
--
CREATE ROLE mg_vr_bob NOLOGIN;		-- model_science_lead, reviewer
CREATE ROLE mg_vr_carol NOLOGIN;	-- product_manager, reviewer
CREATE ROLE mg_vr_dave NOLOGIN;		-- engineering_lead
CREATE ROLE mg_vr_frank NOLOGIN;	-- deployer
GRANT USAGE ON SCHEMA modelgov TO mg_vr_bob, mg_vr_carol, mg_vr_dave, mg_vr_frank;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_vr_bob, mg_vr_carol, mg_vr_dave, mg_vr_frank;
SELECT modelgov.add_member('mg_vr_bob', 'bob@vr.com', '{model_science_lead}') IS NOT NULL AS added,
	   modelgov.add_member('mg_vr_carol', 'carol@vr.com', '{product_manager}') IS NOT NULL AS added,
	   modelgov.add_member('mg_vr_dave', 'dave@vr.com', '{engineering_lead}') IS NOT NULL AS added,
	   modelgov.add_member('mg_vr_frank', 'frank@vr.com', '{deployer}') IS NOT NULL AS added \gset
-- a statement run as a role: "ok:" and what it returned, or its error
CREATE FUNCTION pg_temp.act(who text, stmt text) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', who);
	r := pg_temp.attempt(stmt);
	RESET ROLE;
	RETURN r;
END
$$;
CREATE FUNCTION pg_temp.id_of(what text) RETURNS text
	LANGUAGE sql AS $$SELECT p.proposal_id FROM modelgov.proposals p WHERE p.description = what$$;
SELECT pg_temp.act('mg_vr_alice', $$SELECT modelgov.propose('triage', 'bias_update', 'billing bias',
		'{"biases": {"billing": -0.05}}', '{"sample_size": 5000}', 'Roll back.', 'Daily checks.')$$) AS bias_prop \gset
SELECT pg_temp.act('mg_vr_bob', format('SELECT modelgov.review(%L, pg_temp.ck(), true)', pg_temp.id_of('billing bias'))) AS r1,
	   pg_temp.act('mg_vr_carol', format('SELECT modelgov.review(%L, pg_temp.ck(), true)', pg_temp.id_of('billing bias'))) AS r2,
	   pg_temp.act('mg_vr_bob', format('SELECT modelgov.approve(%L, %L)', pg_temp.id_of('billing bias'), 'model_science_lead')) AS a1,
	   pg_temp.act('mg_vr_carol', format('SELECT modelgov.approve(%L, %L)', pg_temp.id_of('billing bias'), 'product_manager')) AS a2 \gset
SELECT is(pg_temp.act('mg_vr_dave', format('SELECT modelgov.approve(%L, %L)', pg_temp.id_of('billing bias'), 'engineering_lead')),
		  'ok:approved: 1.0.1 created, waiting for staging', 'the bias_update is approved as 1.0.1');
SELECT pg_temp.act('mg_vr_frank', format('SELECT modelgov.deploy(%L, %L)', pg_temp.id_of('billing bias'), 'staging')) AS s1,
	   pg_temp.act('mg_vr_frank', $$SELECT modelgov.record_smoke_test('triage', '1.0.1', true)$$) AS s2 \gset
SELECT is(pg_temp.act('mg_vr_frank', format('SELECT modelgov.deploy(%L, %L)', pg_temp.id_of('billing bias'), 'production')),
		  'ok:1.0.1', '1.0.1 reaches production');
SELECT is(pg_temp.act('mg_vr_alice', format('SELECT modelgov.rebase(%L)', pg_temp.id_of('weights and thresholds'))),
		  format('ok:rebased: %s now changes 1.0.1 into 1.1.0; its reviews stay, waiting for reviews',
				 pg_temp.id_of('weights and thresholds')),
		  'a proposal declaring two change types is rebased, still MINOR');
SELECT is(pg_temp.act('mg_vr_alice', format('SELECT modelgov.rebase(%L)', pg_temp.id_of('New escalation API'))),
		  format('ok:rebased: %s now changes 1.0.1 into 2.0.0; its reviews stay, waiting for reviews',
				 pg_temp.id_of('New escalation API')),
		  'a breaking threshold_change is rebased, still MAJOR');
SELECT is(pg_temp.act('mg_vr_alice', format('SELECT modelgov.rebase(%L)', pg_temp.id_of('f3, required'))),
		  format('ok:rebased: %s now changes 1.0.1 into 2.0.0; its reviews stay, waiting for reviews',
				 pg_temp.id_of('f3, required')),
		  'a feature appended without a default is rebased, still MAJOR');

SELECT * FROM finish();
ROLLBACK;
