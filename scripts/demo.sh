#!/bin/bash
# make demo: a guided psql session in the throwaway cluster pg_virtualenv
# started for us.
set -euo pipefail
cd "$(dirname "$0")/.."
createdb modelgov_demo
psql -X -q -v ON_ERROR_STOP=1 -d modelgov_demo -f scripts/demo.sql
