--
-- propose() warns when another open proposal of the model changes the
-- same configuration keys (issue 11, item 2): the one that reaches
-- production second must be rebased or withdrawn.  A warning cannot be
-- caught in PL/pgSQL, so its text is checked here.
--
CREATE DATABASE modelgov_overlap_regress;
\c modelgov_overlap_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
\set SHOW_CONTEXT never
SET search_path = public, modelgov;
SET modelgov.clock = '2024-03-01 09:00:00+00';
CREATE ROLE mg_ov_alice;
GRANT USAGE ON SCHEMA modelgov TO mg_ov_alice;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_ov_alice;
SELECT create_model('m', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.2, "escalate": 0.6},
						   "biases": {"default": 0.0, "billing": -0.05}}');
SELECT create_model('other', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.2, "escalate": 0.6}}');
SELECT add_member('mg_ov_alice', 'alice@company.com');
SET ROLE mg_ov_alice;
SELECT propose('m', 'threshold_change', 'first', '{"threshold_auto": 0.15}', NULL, NULL, NULL);
-- the same key: a warning naming the other proposal
SELECT propose('m', 'threshold_change', 'second', '{"threshold_auto": 0.12, "threshold_escalate": 0.55}', NULL, NULL, NULL);
-- another key of the same model, and the same key of another model: none
SELECT propose('m', 'bias_update', 'third', '{"biases": {"billing": -0.07}}', NULL, NULL, NULL);
SELECT propose('other', 'threshold_change', 'fourth', '{"threshold_auto": 0.15}', NULL, NULL, NULL);
RESET ROLE;

\c contrib_regression
DROP DATABASE modelgov_overlap_regress;
DROP ROLE mg_ov_alice;
