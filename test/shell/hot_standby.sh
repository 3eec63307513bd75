#!/bin/bash
# Read scaling: a streaming hot standby scores each model with the version
# that is active on the primary.  The primary governs two models, alpha and
# beta.  A standby session scores both by name, each with its version
# 1.0.0, and keeps both compiled versions cached; the primary deploys
# alpha 1.1.0; once the standby has replayed the commit, the same session
# scores alpha with 1.1.0, because the relcache invalidation travels in the
# commit record, and beta still with 1.0.0 from its cache: one new load
# (alpha 1.1.0), none for beta.  Nothing is written on the standby (it
# could not be).
#
# Builds its own primary and standby, as the postgres user.  Both listen
# only on a Unix socket in a directory of their own (listen_addresses is
# empty), so their ports, drawn from 20000-29999, cannot collide with
# another cluster's.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
	# initdb refuses to run as root
	work=$(mktemp -d)
	chown postgres: "$work"
	cp "$0" "$work/hot_standby.sh"
	chmod 755 "$work/hot_standby.sh"
	trap 'rm -rf "$work"' EXIT
	runuser -u postgres -- env WORK="$work" bash "$work/hot_standby.sh"
	exit $?
fi

PG_MAJOR=${PG_MAJOR:-15}
bin=/usr/lib/postgresql/$PG_MAJOR/bin
work=${WORK:-$(mktemp -d)}
primary=$work/primary
standby=$work/standby
sock=$work
p1=$((20000 + RANDOM % 10000))
p2=$((p1 + 1))

fail() { echo "hot_standby: FAIL: $*" >&2; exit 1; }
cleanup() {
	"$bin/pg_ctl" -D "$standby" -m immediate stop >/dev/null 2>&1 || true
	"$bin/pg_ctl" -D "$primary" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

q() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$1" -d postgres -c "$2"; }

"$bin/initdb" -D "$primary" -A trust -U postgres >/dev/null
cat >> "$primary/postgresql.conf" <<EOF
port = $p1
unix_socket_directories = '$sock'
listen_addresses = ''
wal_level = replica
max_wal_senders = 4
EOF
"$bin/pg_ctl" -D "$primary" -l "$work/primary.log" -w start >/dev/null

q $p1 "CREATE EXTENSION modelgov" >/dev/null
# alpha decides AUTO for 0.3 in 1.0.0 and ESCALATE in 1.1.0; beta decides ASK
q $p1 "SELECT modelgov.create_model('alpha', '{\"weights\": [0.25, 0.25, 0.25, 0.25], \"thresholds\": {\"auto\": 0.5, \"escalate\": 0.9}}')" >/dev/null
q $p1 "SELECT modelgov.create_model('beta', '{\"weights\": [0.25, 0.25, 0.25, 0.25], \"thresholds\": {\"auto\": 0.2, \"escalate\": 0.8}}')" >/dev/null
q $p1 "INSERT INTO modelgov.versions (version, config, created_at, status, model)
	   VALUES ('1.1.0', modelgov_internal.normalize_config('{\"weights\": [0.25, 0.25, 0.25, 0.25], \"thresholds\": {\"auto\": 0.05, \"escalate\": 0.1}}'), now(), 'approved', 'alpha')"

"$bin/pg_basebackup" -h "$sock" -p $p1 -U postgres -D "$standby" -R -X stream -c fast >/dev/null
sed -i "s/^port = $p1/port = $p2/" "$standby/postgresql.conf"
"$bin/pg_ctl" -D "$standby" -l "$work/standby.log" -w start >/dev/null
[ "$(q $p2 "SELECT pg_is_in_recovery()")" = t ] || fail "the standby is not in recovery"

# One standby session: score both models (alpha 1.0.0 and beta 1.0.0
# compiled and cached), wait until the primary's deployment of alpha is
# replayed, score both again, report its cache.
psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p $p2 -d postgres > "$work/standby.out" 2>&1 <<'EOF' &
SELECT 'before', modelgov.decide('alpha', 0.3, 0.3, 0.3, 0.3), modelgov.active_version('alpha', 'production'),
	   modelgov.decide('beta', ARRAY[0.3, 0.3, 0.3, 0.3]), modelgov.active_version('beta', 'production');
SELECT 'stats_before', loads, compiled_versions, active_versions FROM modelgov.cache_stats();
DO $$
BEGIN
	FOR i IN 1 .. 300 LOOP
		EXIT WHEN (SELECT version::text FROM modelgov.environments
					WHERE model = 'alpha' AND env = 'production') = '1.1.0';
		PERFORM pg_sleep(0.1);
	END LOOP;
END
$$;
SELECT 'after', modelgov.decide('alpha', 0.3, 0.3, 0.3, 0.3), modelgov.active_version('alpha', 'production'),
	   modelgov.decide('beta', ARRAY[0.3, 0.3, 0.3, 0.3]), modelgov.active_version('beta', 'production');
SELECT 'stats', loads, invalidations > 0, compiled_versions, active_versions FROM modelgov.cache_stats();
SELECT 'read_only', current_setting('transaction_read_only');
EOF
reader=$!

# let the standby session compile and cache both 1.0.0 versions first
for i in $(seq 1 100); do
	grep -q '^stats_before' "$work/standby.out" 2>/dev/null && break
	sleep 0.1
done
grep -q '^before|AUTO|1.0.0|ASK|1.0.0$' "$work/standby.out" ||
	fail "standby did not score alpha and beta with 1.0.0: $(cat "$work/standby.out")"
grep -qF 'stats_before|2|2|{"beta": "1.0.0", "alpha": "1.0.0"}' "$work/standby.out" ||
	fail "standby did not compile each model once: $(cat "$work/standby.out")"

# deploy alpha 1.1.0 on the primary, as the process does; beta stays
q $p1 "SELECT modelgov_internal.promote(v, 'deploy', NULL, 'standby test', '{}') FROM modelgov.versions v
		WHERE v.model = 'alpha' AND v.version::text = '1.1.0'" >/dev/null
wait $reader || fail "standby session failed: $(cat "$work/standby.out")"

out=$(cat "$work/standby.out")
echo "$out" | grep -q '^after|ESCALATE|1.1.0|ASK|1.0.0$' ||
	fail "standby did not switch alpha to 1.1.0 and keep beta at 1.0.0: $out"
# one load more (alpha 1.1.0): beta's compiled 1.0.0 was kept, not read again
echo "$out" | grep -qF 'stats|3|t|3|{"beta": "1.0.0", "alpha": "1.1.0"}' ||
	fail "standby cache did not load alpha 1.1.0 alone: $out"
echo "$out" | grep -q '^read_only|on$' || fail "standby session was not read-only: $out"
echo "hot_standby: ok (after replay the standby session scored alpha 1.1.0, with one load, and beta 1.0.0 from its cache)"
