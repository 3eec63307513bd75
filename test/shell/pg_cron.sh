#!/bin/bash
# Scheduling that is real: the monitor of every model, scheduled with
# pg_cron exactly as docs/operations.md shows it, rolls back the model whose
# day went bad, and only that one.
#
# Builds its own cluster, as the postgres user, with
# shared_preload_libraries = 'pg_cron' and cron.database_name naming the
# test database.  The cluster listens only on a Unix socket in a directory
# of its own (listen_addresses is empty), so its port, drawn from
# 20000-29999, cannot collide with another cluster's; cron.host names that
# directory, so pg_cron's job connects through libpq to that socket (not
# to localhost over TCP, its default), as the role that scheduled it.
#
# Two models, alpha and beta, each with five days of metrics before a
# deployment to 1.0.1 yesterday (UTC).  The setup sets modelgov.clock (a
# superuser's setting) to date that history; the scheduled job runs in a
# session of its own, on the real clock, so every day is relative to
# today: yesterday alpha 1.0.1 escalated 40% (the approved change expected
# 10%, and the history is near 10%), beta 1.0.1 10%.  The member
# "automation", a LOGIN role granted as docs/operations.md grants the
# deployment pipeline, holds the deployer duty for every model, records the
# metrics, and schedules the documented call (taken from
# docs/operations.md, its schedule replaced by every minute).  pg_cron 1.4
# runs a job at the start of a minute, so the test waits up to 70 seconds
# for a run that succeeded, then checks that alpha is back on 1.0.0, beta
# still on 1.0.1, and that the rollback is the automation's.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -eq 0 ]; then
	# initdb refuses to run as root
	work=$(mktemp -d)
	chown postgres: "$work"
	cp "$0" "$work/pg_cron.sh"
	cp "$repo/docs/operations.md" "$work/operations.md"
	chmod 755 "$work/pg_cron.sh"
	chmod 644 "$work/operations.md"
	trap 'rm -rf "$work"' EXIT
	runuser -u postgres -- env WORK="$work" DOCS="$work/operations.md" PG_MAJOR="${PG_MAJOR:-15}" \
		bash "$work/pg_cron.sh"
	exit $?
fi

PG_MAJOR=${PG_MAJOR:-15}
bin=/usr/lib/postgresql/$PG_MAJOR/bin
docs=${DOCS:-$repo/docs/operations.md}
work=${WORK:-$(mktemp -d)}
data=$work/data
sock=$work
port=$((20000 + RANDOM % 10000))
db=modelgov_cron

fail() { echo "pg_cron: FAIL: $*" >&2; exit 1; }
cleanup() {
	"$bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
	[ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

[ -e "$("$bin/pg_config" --pkglibdir)/pg_cron.so" ] ||
	fail "pg_cron is not installed (scripts/install-deps.sh installs postgresql-$PG_MAJOR-cron)"

# The documented call: the first cron.schedule(...) statement of
# docs/operations.md, with its schedule (the first quoted argument with a
# "*") replaced by every minute.
documented=$(sed -n '/SELECT cron\.schedule(/,/);[[:space:]]*$/p' "$docs" | sed '/);[[:space:]]*$/q')
[ -n "$documented" ] || fail "$docs shows no SELECT cron.schedule(...) call"
schedule=$(printf '%s\n' "$documented" | sed "0,/'[^']*\*[^']*'/s//'* * * * *'/")
[ "$schedule" != "$documented" ] || fail "no schedule found in the documented call: $documented"
command=$(printf '%s\n' "$schedule" | sed -n 's/.*\$\$\(.*\)\$\$.*/\1/p')
[ -n "$command" ] || fail "no \$\$...\$\$ command in the documented call: $documented"

"$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
cat >> "$data/postgresql.conf" <<EOF
port = $port
unix_socket_directories = '$sock'
listen_addresses = ''
EOF
# the database first, then pg_cron, whose scheduler needs it at start
"$bin/pg_ctl" -D "$data" -l "$work/server.log" -w start >/dev/null
psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d postgres -c "CREATE DATABASE $db" >/dev/null
cat >> "$data/postgresql.conf" <<EOF
shared_preload_libraries = 'pg_cron'
cron.database_name = '$db'
cron.host = '$sock'
EOF
"$bin/pg_ctl" -D "$data" -l "$work/server.log" -w restart >/dev/null

# one statement as postgres, unaligned
q() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d "$db" -c "$1"; }

# the setup, as the superuser, who sets the clock and takes each member's role
psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d "$db" > "$work/setup.out" 2>&1 <<'EOF' ||
CREATE EXTENSION modelgov;
CREATE EXTENSION pg_cron;
SELECT timezone('UTC', now())::date AS today \gset
-- ten days ago, the administrator creates the two models
SELECT set_config('modelgov.clock', (:'today'::date - 10) || ' 12:00:00+00', false);
SELECT modelgov.create_model('alpha', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.3, "escalate": 0.7}}');
SELECT modelgov.create_model('beta', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.3, "escalate": 0.7}}');

-- the members, granted as docs/operations.md grants them; automation is
-- the scheduler's login role, the deployer of every model
CREATE ROLE automation LOGIN;
CREATE ROLE alice;
CREATE ROLE bob;
CREATE ROLE carol;
CREATE ROLE pm;
CREATE ROLE msl;
CREATE ROLE el;
GRANT USAGE ON SCHEMA modelgov TO automation, alice, bob, carol, pm, msl, el;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO automation, alice, bob, carol, pm, msl, el;
SELECT modelgov.add_member('automation', 'automation@company.com', '{deployer}');
SELECT modelgov.add_member('alice', 'alice@company.com');
SELECT modelgov.add_member('bob', 'bob@company.com');
SELECT modelgov.add_member('carol', 'carol@company.com');
SELECT modelgov.add_member('pm', 'pm@company.com', '{product_manager}');
SELECT modelgov.add_member('msl', 'msl@company.com', '{model_science_lead}');
SELECT modelgov.add_member('el', 'el@company.com', '{engineering_lead}');
-- pg_cron's own grant, for a role that is not a superuser to schedule
GRANT USAGE ON SCHEMA cron TO automation;

-- five days of history of both 1.0.0, escalations near 10%, and every
-- metric the checks and the trigger read (one not reported is an alert)
SELECT set_config('modelgov.clock', (:'today'::date - 1) || ' 00:30:00+00', false);
SET ROLE automation;
SELECT count(modelgov.record_metrics(m, '1.0.0', :'today'::date - n,
			jsonb_build_object('decisions', 100, 'auto', 50, 'escalate', e, 'errors', 0, 'correct_auto', 0.95,
							   'latency_p99_ms', 50, 'feature_availability', 0.999)))
  FROM (VALUES ('alpha'), ('beta')) AS x(m),
	   (VALUES (6, 9), (5, 10), (4, 11), (3, 10), (2, 10)) AS y(n, e);
RESET ROLE;

-- yesterday, one change to each model, through the whole process
SELECT set_config('modelgov.clock', (:'today'::date - 1) || ' 01:00:00+00', false);
SET ROLE alice;
SELECT modelgov.propose('alpha', 'threshold_change', 'alpha: lower auto', '{"threshold_auto": 0.25}',
	'{"sample_size": 5000, "expected_auto_resolve_rate": 0.5, "expected_escalate_rate": 0.1}',
	'roll back', 'watch the escalations') AS p_a \gset
SELECT modelgov.propose('beta', 'threshold_change', 'beta: lower auto', '{"threshold_auto": 0.25}',
	'{"sample_size": 5000, "expected_auto_resolve_rate": 0.5, "expected_escalate_rate": 0.1}',
	'roll back', 'watch the escalations') AS p_b \gset
\set checklist '{"aligns_with_business_goals": true, "data_quality_sufficient": true, "impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true, "monitoring_plan_documented": true}'
SET ROLE bob;
SELECT modelgov.review(:'p_a', :'checklist', true), modelgov.review(:'p_b', :'checklist', true);
SET ROLE carol;
SELECT modelgov.review(:'p_a', :'checklist', true), modelgov.review(:'p_b', :'checklist', true);
SET ROLE pm;
SELECT modelgov.approve(:'p_a', 'product_manager'), modelgov.approve(:'p_b', 'product_manager');
SET ROLE msl;
SELECT modelgov.approve(:'p_a', 'model_science_lead'), modelgov.approve(:'p_b', 'model_science_lead');
SET ROLE el;
SELECT modelgov.approve(:'p_a', 'engineering_lead'), modelgov.approve(:'p_b', 'engineering_lead');
SET ROLE automation;
SELECT modelgov.deploy(:'p_a', 'staging');
SELECT modelgov.record_smoke_test('alpha', '1.0.1', true);
SELECT modelgov.deploy(:'p_a', 'production');
SELECT modelgov.deploy(:'p_b', 'staging');
SELECT modelgov.record_smoke_test('beta', '1.0.1', true);
SELECT modelgov.deploy(:'p_b', 'production');
RESET ROLE;

-- today, on the real clock, the deployer records yesterday: alpha 1.0.1
-- escalated 40%, beta 1.0.1 10%
RESET modelgov.clock;
SET ROLE automation;
SELECT modelgov.record_metrics('alpha', '1.0.1', :'today'::date - 1,
							   '{"decisions": 100, "auto": 50, "escalate": 40, "errors": 0, "correct_auto": 0.95,
								 "latency_p99_ms": 50, "feature_availability": 0.999}');
SELECT modelgov.record_metrics('beta', '1.0.1', :'today'::date - 1,
							   '{"decisions": 100, "auto": 50, "escalate": 10, "errors": 0, "correct_auto": 0.95,
								 "latency_p99_ms": 50, "feature_availability": 0.999}');
RESET ROLE;
EOF
	fail "setup failed: $(cat "$work/setup.out")"

envs() {
	q "SELECT string_agg(model || ' ' || version, ', ' ORDER BY model) FROM modelgov.environments WHERE env = 'production'"
}
[ "$(envs)" = "alpha 1.0.1, beta 1.0.1" ] || fail "the setup did not deploy both 1.0.1: $(envs)"
[ "$(q "SELECT count(*) FROM modelgov.audit_log WHERE event_type IN ('alert', 'rollback')")" = 0 ] ||
	fail "alerts or rollbacks before the scheduled run"

# the documented call, as the automation member, in its own session
jobid=$(psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U automation -d "$db" -c "$schedule" 2>&1) ||
	fail "the documented call failed as automation: $jobid
$schedule"
[ "$(q "SELECT username || '|' || database || '|' || schedule || '|' || command FROM cron.job WHERE jobid = $jobid")" = \
	"automation|$db|* * * * *|$command" ] ||
	fail "cron.job does not hold the documented job of automation: $(q "SELECT * FROM cron.job")"

# what the job did, for a failure
report() {
	echo "production: $(envs)"
	echo "runs: $(q "SELECT runid, status, return_message, start_time, end_time FROM cron.job_run_details WHERE jobid = $jobid")"
	echo "audit from yesterday's metrics on:"
	q "SELECT seq, event_type, actor, model, version, status, details FROM modelgov.audit_log
		WHERE seq > (SELECT max(seq) FROM modelgov.audit_log WHERE event_type = 'metrics') - 2 ORDER BY seq"
	grep -E 'cron|ERROR|FATAL' "$work/server.log" | tail -n 20
}

# pg_cron 1.4 runs the job at the start of the next minute; the run is
# marked succeeded once its transaction has committed
start=$(date +%s)
while :; do
	waited=$(( $(date +%s) - start ))
	runs=$(q "SELECT string_agg(status, ',' ORDER BY runid) FROM cron.job_run_details WHERE jobid = $jobid")
	case ",$runs," in
	*,failed,*)
		fail "the scheduled run failed after ${waited} s:
$(report)"
		;;
	*,succeeded,*)
		[ "$(envs)" = "alpha 1.0.0, beta 1.0.1" ] && break
		fail "the scheduled run succeeded after ${waited} s but did not roll back alpha alone:
$(report)"
		;;
	esac
	[ $waited -lt 70 ] || fail "no scheduled run succeeded within ${waited} s:
$(report)"
	sleep 1
done

# the run was the automation's, on the real clock
run=$(q "SELECT username || '|' || database || '|' || return_message FROM cron.job_run_details
		   WHERE jobid = $jobid AND status = 'succeeded' ORDER BY runid LIMIT 1")
[[ "$run" =~ ^automation\|$db\|[1-9][0-9]*\ rows?$ ]] ||
	fail "the succeeded run is not the automation's monitor: $(q "SELECT * FROM cron.job_run_details WHERE jobid = $jobid")"
rb=$(q "SELECT actor || '|' || (details ->> 'rolled_back_by') || '|' || version || '|' || clock_overridden
		  || '|' || (details ->> 'reason' LIKE 'Escalate rate increased to 40%')
		  FROM modelgov.audit_log WHERE event_type = 'rollback' ORDER BY seq")
[ "$rb" = "automation|automation|1.0.0|false|true" ] ||
	fail "the rollback entries are not alpha's, by the automation: $rb"
[ "$(q "SELECT model FROM modelgov.audit_log WHERE event_type = 'rollback'")" = alpha ] ||
	fail "the rollback is not alpha's"
alerts=$(q "SELECT string_agg(model || ' ' || (details ->> 'check') || ' ' || actor, ', ' ORDER BY seq)
			  FROM modelgov.audit_log WHERE event_type = 'alert'")
[ "$alerts" = "alpha decision_distribution automation, alpha escalation_spike automation, alpha trigger:escalate_rate automation" ] ||
	fail "the alerts are not alpha's three, recorded by the automation: $alerts"
[ "$(q "SELECT ok FROM modelgov.verify_audit_log()")" = t ] || fail "the audit log does not verify"

echo "pg_cron: ok (the documented pg_cron job ran as automation after ${waited} s and rolled back alpha to 1.0.0 alone)"
