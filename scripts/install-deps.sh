#!/bin/bash
# Install the Debian packages modelgov builds and tests with, only those
# that are missing.  Needs root (or sudo) only when something is missing.
set -euo pipefail

PG_MAJOR=${PG_MAJOR:-15}
packages=(
	make gcc
	"postgresql-$PG_MAJOR"
	"postgresql-server-dev-$PG_MAJOR"
	"postgresql-$PG_MAJOR-pgtap"
	libtap-parser-sourcehandler-pgtap-perl
	libipc-run-perl
	# the static check of every PL/pgSQL function (test/shell/plpgsql_check.sh)
	"postgresql-$PG_MAJOR-plpgsql-check"
	# the monitor scheduled as docs/operations.md shows (test/shell/pg_cron.sh)
	"postgresql-$PG_MAJOR-cron"
	# PGXS builds LLVM bitcode with clang-14; the fuzzer needs its runtime
	clang-14 llvm-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: need root to install ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
	$sudo apt-get update
	$sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
