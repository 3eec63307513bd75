#!/bin/bash
# pg_dump and restore into a fresh database keep everything modelgov holds,
# in a database that governs several models: the bump policy changes
# (without duplicating the default rows), members and the duties they hold
# for one model, the model registry with a retired model, the whole
# governance record of the seed's story for its two models, and the audit
# log, whose chain still verifies, also against a digest kept before the
# dump.  Every table of the extension is compared, row by row, with the
# inventory and the other views; both live models score every ticket alike
# before and after, and the retired one is refused alike.  The restored
# database carries on: sequences, proposal ids and the chain continue after
# the restored rows, and a retired model still takes no proposal.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

src=modelgov_dump_src
dst=modelgov_dump_dst
dump=$(mktemp)
story_roles="alice, bob, carol, charlie, diana, eve, frank, ops, mg_dump_alice"
# the views depend on the clock (support windows): read them at one moment
clock='2024-03-20 08:00:00+00'

cleanup() {
	rm -f "$dump"
	dropdb --if-exists $src 2>/dev/null || true
	dropdb --if-exists $dst 2>/dev/null || true
	psql -X -q -c "DROP ROLE IF EXISTS $story_roles" 2>/dev/null || true
}
trap cleanup EXIT

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "SET modelgov.clock = '$clock'" -c "$2"; }
fail() { echo "dump_restore: FAIL: $*" >&2; exit 1; }

cleanup
createdb $src
q $src "CREATE EXTENSION modelgov"
q $src "SELECT modelgov.set_bump_policy('bias_update', 'minor')" >/dev/null
q $src "SELECT modelgov.set_bump_policy('bug_fix', 'minor')" >/dev/null
q $src "SELECT modelgov.set_bump_policy('bias_update', 'patch')" >/dev/null
q $src "CREATE ROLE mg_dump_alice"
q $src "SELECT modelgov.set_monitoring_setting('rate_tolerance', 0.04)" >/dev/null
q $src "SELECT modelgov.add_member('mg_dump_alice', 'dump@company.com', '{product_manager}')" >/dev/null
# the seed's story: support_tickets from proposal to production and back,
# then refunds beside it, each with a product manager of its own (duties)
psql -X -q -d $src -f scripts/seed_story.sql >/dev/null 2>&1
[ "$(q $src "SELECT modelgov.active_version('support_tickets', 'production') || ' '
			|| modelgov.active_version('refunds', 'production')")" = "1.0.0 1.0.1" ] ||
	fail "the story did not run"
# a third model, with a duty of its own, retired: its rows stay
psql -X -q -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
SET modelgov.clock = '2024-03-12 09:00:00+00';
SELECT modelgov.create_model('legacy_refunds', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.4, "escalate": 0.6}}',
							 'The refund rules before the refunds model');
SELECT modelgov.grant_duty('mg_dump_alice', 'engineering_lead', 'legacy_refunds');
SET modelgov.clock = '2024-03-15 17:00:00+00';
SELECT modelgov.retire_model('legacy_refunds', 'replaced by the refunds model');
SQL
[ "$(q $src "SELECT string_agg(name || ':' || (retired_at IS NOT NULL), ' ' ORDER BY name) FROM modelgov.models")" = \
	"legacy_refunds:true refunds:false support_tickets:false" ] || fail "the models are not as set up"
[ "$(q $src "SELECT string_agg(DISTINCT model, ' ' ORDER BY model) FROM modelgov.duties")" = \
	"legacy_refunds refunds support_tickets" ] || fail "the duties for one model are not as set up"
[ "$(q $src "SELECT string_agg(DISTINCT model, ' ' ORDER BY model) FROM modelgov.proposals")" = \
	"refunds support_tickets" ] || fail "the proposals are not as set up"
q $src "CREATE TABLE releases (v modelgov.semver PRIMARY KEY, wants modelgov.semverrange)"
q $src "INSERT INTO releases VALUES ('1.0.0-rc.1+b.7', modelgov.semver_caret('1.0.0')),
		('1.0.0', NULL), ('0.9.12-1a.01b', modelgov.semver_tilde('0.9.0'))"

# Every table, view and sequence of the extension, from the catalog, so that
# a table added later is compared too.  Each table holds rows here: a table
# that pg_dump left empty could not go unnoticed.
objects() {
	q $src "SELECT c.oid::regclass::text || ' ' || c.relkind::text FROM pg_class c
			  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
			  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'modelgov'
			 WHERE c.relkind IN ('r', 'v', 'S') ORDER BY c.relkind, 1"
}
tables=$(objects | sed -n 's/ r$//p')
views=$(objects | sed -n 's/ v$//p')
sequences=$(objects | sed -n 's/ S$//p')
for t in modelgov.models modelgov.duties modelgov.versions modelgov.proposals modelgov.audit_log; do
	echo "$tables" | grep -qx "$t" || fail "$t is not among the extension's tables: $tables"
done
echo "$views" | grep -qx modelgov.inventory || fail "modelgov.inventory is not among the extension's views: $views"
for t in $tables; do
	[ "$(q $src "SELECT count(*) > 0 FROM $t")" = t ] || fail "$t is empty before the dump: nothing to compare"
done

snapshot() {
	for t in $tables $views; do
		echo "== $t"
		q "$1" "SELECT t::text FROM $t t ORDER BY 1"
	done
	for s in $sequences; do
		echo "== $s"
		q "$1" "SELECT last_value || ' ' || is_called FROM $s"
	done
	echo "== releases"
	q "$1" "SELECT v::text, wants FROM releases ORDER BY v"
}

# What each model decides for every ticket: a digest of every row's scores
# and decisions (the active versions, and 1.0.1 of support_tickets by
# version), and the counts per decision, which show that both score.
scores() {
	q "$1" "SELECT md5(string_agg(concat_ws(',', id,
				modelgov.score('support_tickets', f1, f2, f3, f4, team),
				modelgov.decide('support_tickets', ARRAY[f1, f2, f3, f4], team),
				modelgov.decide('support_tickets', '1.0.1'::modelgov.semver, ARRAY[f1, f2, f3, f4], team),
				modelgov.score('refunds', ARRAY[f1, f2]),
				modelgov.decide('refunds', ARRAY[f1, f2], team)), ';' ORDER BY id)) FROM tickets"
	q "$1" "SELECT modelgov.decide('support_tickets', f1, f2, f3, f4, team) || ' '
				   || modelgov.decide('refunds', ARRAY[f1, f2]) || ' ' || count(*)
			  FROM tickets GROUP BY modelgov.decide('support_tickets', f1, f2, f3, f4, team),
									modelgov.decide('refunds', ARRAY[f1, f2]) ORDER BY 1"
	# a retired model is refused, with the same error
	psql -X -q -At -d "$1" -v VERBOSITY=verbose -c "SELECT modelgov.decide('legacy_refunds', ARRAY[0.5, 0.5])" 2>&1 || true
}

before=$(snapshot $src)
scored=$(scores $src)
digest=$(q $src "SELECT seq || ' ' || hash FROM modelgov.audit_digest()")
entries=$(q $src "SELECT count(*) FROM modelgov.audit_log")
echo "$scored" | awk '/^(AUTO|ASK|ESCALATE) (AUTO|ASK|ESCALATE) [0-9]+$/ { a[$1]; b[$2] }
					 END { exit !(length(a) >= 2 && length(b) >= 2) }' ||
	fail "each model should reach more than one decision over the tickets: $scored"
case "$scored" in
	*'ERROR:  42704: model "legacy_refunds"'*) ;;
	*) fail "the retired model was not refused with 42704: $scored" ;;
esac

pg_dump -Fc -d $src -f "$dump"
createdb $dst
pg_restore --exit-on-error -d $dst "$dump"

after=$(snapshot $dst)
if [ "$after" != "$before" ]; then
	diff <(echo "$before") <(echo "$after") >&2 || true
	fail "data differs after restore"
fi
rescored=$(scores $dst)
if [ "$rescored" != "$scored" ]; then
	diff <(echo "$scored") <(echo "$rescored") >&2 || true
	fail "the models score differently after restore"
fi

# the defaults are there once, with the changes after them
[ "$(q $dst "SELECT count(*) FROM modelgov.bump_policy_history")" = 13 ] || fail "wrong number of policy rows"
[ "$(q $dst "SELECT modelgov.required_bump('bug_fix')")" = minor ] || fail "policy change lost"

# the chain verifies after restore, also against the digest kept before
set -- $digest
[ "$1" = "$entries" ] || fail "the digest is at entry $1 of $entries"
[ "$(q $dst "SELECT ok FROM modelgov.verify_audit_log()")" = t ] || fail "audit chain broken after restore"
[ "$(q $dst "SELECT ok FROM modelgov.verify_audit_log($1, '$2')")" = t ] || fail "audit digest not matched after restore"

# one active production version per model, the retired one's included
[ "$(q $dst "SELECT string_agg(model || ':' || version, ' ' ORDER BY model) FROM modelgov.versions WHERE status = 'active'")" = \
	"legacy_refunds:1.0.0 refunds:1.0.1 support_tickets:1.0.0" ] || fail "active versions lost"

# the process carries on: the policy sequence, the proposal ids (unique
# across models: refunds took PROP_202403_001), the deployment sequence
q $dst "SELECT modelgov.set_bump_policy('performance_fix', 'minor')" >/dev/null
[ "$(q $dst "SELECT max(id) FROM modelgov.bump_policy_history")" = 14 ] || fail "policy sequence not restored"
id=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $dst -c "SET modelgov.clock = '2024-03-20 09:00:00+00'" -c "SET ROLE alice" \
	-c "SELECT modelgov.propose('support_tickets', 'bias_update', 'billing bias',
			'{\"biases\": {\"default\": 0.0, \"billing\": -0.05}}', '{\"sample_size\": 5000}',
			'Roll back with modelgov.rollback().', 'Daily checks for 7 days.')")
[ "$id" = PROP_202403_002 ] || fail "proposal ids do not continue after restore: $id"
deployments=$(q $dst "SELECT max(id) FROM modelgov.deployments")
got=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $dst -c "SET modelgov.clock = '2024-03-20 09:05:00+00'" -c "SET ROLE ops" \
	-c "SELECT modelgov.rollback('refunds', 'restore drill', '1.0.0')")
[ "$got" = 1.0.0 ] || fail "the rollback of refunds said: $got"
[ "$(q $dst "SELECT max(id) FROM modelgov.deployments")" = $((deployments + 1)) ] || fail "deployment sequence not restored"
[ "$(q $dst "SELECT modelgov.active_version('refunds', 'production') || ' '
			|| modelgov.active_version('support_tickets', 'production')")" = "1.0.0 1.0.0" ] ||
	fail "the rollback of refunds did not take, or moved support_tickets"
# the retired model still takes no proposal, and writes nothing
out=$(psql -X -q -At -d $dst -v VERBOSITY=verbose -c "SET modelgov.clock = '2024-03-20 09:10:00+00'" -c "SET ROLE alice" \
	-c "SELECT modelgov.propose('legacy_refunds', 'threshold_change', 'revive', '{\"threshold_auto\": 0.3}',
			'{\"sample_size\": 100}', 'Roll back.', 'Daily checks.')" 2>&1 || true)
case "$out" in
	*'ERROR:  55000: model "legacy_refunds" is retired'*) ;;
	*) fail "a proposal for the retired model said: $out" ;;
esac
got=$(q $dst "SELECT ok::text || ' ' || entries FROM modelgov.verify_audit_log()")
[ "$got" = "true $((entries + 3))" ] || fail "the chain does not continue after restore: $got (want true $((entries + 3)))"

# the primary key indexes on semver columns are valid after restore
q $dst "CREATE EXTENSION IF NOT EXISTS amcheck"
q $dst "SELECT bt_index_check('releases_pkey', true)" >/dev/null
q $dst "SELECT bt_index_check('modelgov.versions_pkey', true)" >/dev/null

q $src "DROP OWNED BY $story_roles"
q $dst "DROP OWNED BY $story_roles"
echo "dump_restore: ok ($(echo $tables | wc -w) tables, $(echo $views | wc -w) views and $(echo $sequences | wc -w) sequences identical;" \
	"3 models, one retired, score alike; $entries audit entries verified against the digest; ids and chain continue)"
