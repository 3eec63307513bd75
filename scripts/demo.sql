-- The modelgov demo: what the extension holds, step by step.
\pset footer off
\set ECHO queries

\echo
\echo '== 1. Install the extension'
CREATE EXTENSION modelgov;
SET search_path = public, modelgov;

\echo
\echo '== 2. semver: Semantic Versioning 2.0.0 as a SQL type'
\echo '   Precedence, not text order: numeric identifiers compare as numbers,'
\echo '   a prerelease sorts below its release, build metadata is ignored.'
SELECT v
  FROM unnest('{1.0.0, 1.0.0-rc.1, 1.0.0-beta.11, 1.0.0-beta.2, 1.0.0-alpha.beta,
				1.0.0-alpha.1, 1.0.0-alpha, 2.0.0, 1.10.0, 1.9.0}'::semver[]) AS v
 ORDER BY v;
SELECT '1.0.1+build.5'::semver = '1.0.1' AS build_ignored,
	   semver_major('1.0.1-rc.2'), semver_prerelease('1.0.1-rc.2');

\echo
\echo '== 3. Strict input: every error says what is wrong and where'
SELECT s, is_semver(s)
  FROM unnest(ARRAY['1.0.1', 'v1.0.1', '1.0.01', '1.0.1-', '1.0.1+', ' 1.0.1',
					'9223372036854775808.0.0']) AS s;
\set ON_ERROR_STOP 0
SELECT '1.0.01'::semver;
\set ON_ERROR_STOP 1

\echo
\echo '== 4. The seed''s change types and the bump each one requires'
SELECT change_type, bump FROM bump_policy ORDER BY bump DESC, change_type;

\echo
\echo '== 5. The next version follows from the largest bump a change needs'
SELECT '1.0.0'::semver AS current,
	   semver_bump('1.0.0', required_bump('threshold_change')) AS after_threshold_change,
	   semver_bump('1.0.0', required_bump('weights_update')) AS after_weights_update,
	   semver_bump('1.0.0', required_bump('feature_removal')) AS after_feature_removal;

\echo
\echo '== 6. Compatibility ranges, npm style'
SELECT semver_caret('1.0.1') AS compatible_with_1_0_1,
	   semver_tilde('1.0.1') AS patches_of_1_0,
	   '1.4.0'::semver <@ semver_caret('1.0.1') AS "1.4.0 compatible";

\echo
\echo '== 7. The seed''s story, replayed: PROP_202402_001 from proposal to'
\echo '   production, 110,000 tickets scored in queries, daily metrics, the'
\echo '   release checklist, and the monitor rolling back on 2024-03-08.'
\echo '   Some steps are refused on purpose: each error is the database'
\echo '   enforcing a rule of the process.'
\set ON_ERROR_STOP 0
SET TimeZone = 'UTC';
\i scripts/seed_story.sql
\set ON_ERROR_STOP 1

\echo
\echo '== 8. What each model runs now: features, weights, biases and safety rules'
SELECT m.name AS model, x.n AS position, x.f ->> 'name' AS feature, c -> 'weights' -> (x.n::int - 1) AS weight,
	   x.f -> 'default' AS default_value
  FROM modelgov.models m, modelgov.model_config(m.name) AS c,
	   jsonb_array_elements(c -> 'features') WITH ORDINALITY AS x(f, n)
 ORDER BY 1, 2;
SELECT m.name AS model, b.key AS candidate, b.value AS bias
  FROM modelgov.models m, jsonb_each(modelgov.model_config(m.name) -> 'biases') AS b
 ORDER BY 1, 2;
SELECT m.name AS model, r ->> 'name' AS safety_rule,
	   format('%s %s %s', r ->> 'feature', r ->> 'op', r -> 'value') AS fires_when, r ->> 'decision' AS decision
  FROM modelgov.models m, jsonb_array_elements(modelgov.model_config(m.name) -> 'safety_rules') AS r
 ORDER BY 1, 2;
SELECT m.name AS model, c -> 'thresholds' AS thresholds, c -> 'calibration' AS calibration
  FROM modelgov.models m, modelgov.model_config(m.name) AS c
 ORDER BY 1;

\echo
\echo '== 9. Scoring rows in a query: the last day''s tickets by team and decision'
SELECT team, modelgov.decide('support_tickets', f1, f2, f3, f4, team) AS decision, count(*)
  FROM tickets WHERE day = '2024-03-08'
 GROUP BY 1, 2 ORDER BY 1, 2;

\echo
\echo '== 10. Why was this ticket escalated?  explain() of the active version'
SELECT jsonb_pretty(modelgov.explain('support_tickets', ARRAY[f1, f2, f3, f4], team)) AS explanation
  FROM tickets WHERE day = '2024-03-08' AND f1 >= 0.5 LIMIT 1;
