--
-- change types, bump levels, decisions and the bump policy
--
\set SHOW_CONTEXT never
SET search_path = public, modelgov;

SELECT enum_range(NULL::change_type);
SELECT enum_range(NULL::bump_level);
SELECT enum_range(NULL::decision);
SELECT 'AUTO'::decision < 'ASK' AND 'ASK'::decision < 'ESCALATE' AS caution_order,
	   greatest('ASK'::decision, 'AUTO') AS most_cautious;

-- the defaults of the design
SELECT change_type, bump, is_default FROM bump_policy ORDER BY change_type;
SELECT t, required_bump(t) FROM unnest(enum_range(NULL::change_type)) AS t;
SELECT required_bump(NULL);

-- the largest bump a set of change types requires, and the next version
SELECT max(required_bump(t)) AS bump,
	   semver_bump('1.0.0', max(required_bump(t))) AS next
  FROM unnest('{threshold_change,bias_update}'::change_type[]) AS t;
SELECT max(required_bump(t)) AS bump,
	   semver_bump('1.0.0', max(required_bump(t))) AS next
  FROM unnest('{threshold_change,weights_update}'::change_type[]) AS t;

-- an administrator changes the policy; the history keeps both
SELECT set_bump_policy('bias_update', 'minor');
SELECT set_bump_policy('bias_update', 'minor');	-- restated: recorded again
SELECT required_bump('bias_update');
SELECT change_type, bump, is_default, set_by IS NOT NULL AS has_actor
  FROM bump_policy WHERE change_type = 'bias_update';
SELECT change_type, bump, set_by IS NULL AS is_default
  FROM bump_policy_history WHERE change_type = 'bias_update' ORDER BY id;

-- anybody may read the policy; nobody but an administrator may set it
CREATE ROLE mg_regress_user;
SET ROLE mg_regress_user;
SELECT required_bump('bias_update'), count(*) FROM bump_policy;
SELECT set_bump_policy('bias_update', 'patch');
RESET ROLE;
GRANT EXECUTE ON FUNCTION set_bump_policy(change_type, bump_level) TO mg_regress_user;
SET ROLE mg_regress_user;
SELECT set_bump_policy('bias_update', 'patch');
INSERT INTO bump_policy_history (change_type, bump, set_by) VALUES ('bias_update', 'patch', 'me');
RESET ROLE;
SELECT required_bump('bias_update');

-- put the default back, as a new row
SELECT set_bump_policy('bias_update', 'patch');
SELECT required_bump('bias_update'),
	   (SELECT count(*) FROM bump_policy_history WHERE change_type = 'bias_update') AS history_rows;

-- the policy table and its sequence are dumped (changes only)
SELECT u.cfg::regclass AS config_relation, u.cond AS dump_condition
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(cfg, cond)
 WHERE e.extname = 'modelgov'
 ORDER BY u.cfg::regclass::text;

DROP OWNED BY mg_regress_user;
DROP ROLE mg_regress_user;
