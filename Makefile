# modelgov: PGXS build, tests, demo, fuzzing and benchmarks.
#
#   make demo    install what is missing, build, install, replay the demo
#   make test    install what is missing, build with -Werror, install, run
#                every test layer in a throwaway cluster
#
# Both work as root on a fresh Debian bookworm machine.

EXTENSION = modelgov
EXTVERSION = 0.2.0

MODULE_big = modelgov
OBJS = \
	src/modelgov.o \
	src/active.o \
	src/clock.o \
	src/semver_core.o \
	src/semver.o \
	src/model_core.o \
	src/config_core.o \
	src/config.o \
	src/scoring.o \
	src/aggregates.o \
	src/audit.o \
	src/governance.o \
	src/evidence_core.o \
	src/evidence.o \
	src/logistic_core.o \
	src/logistic.o \
	src/subscriber.o

# The install script is assembled from its parts, in this order.
SQL_PARTS = $(addprefix sql/,$(addsuffix .sql,\
	semver clock members bump_policy audit config registry governance deployment \
	scoring monitoring release formats evidence fitting data_proposals models replication privileges))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql \
	sql/$(EXTENSION)--0.1.0--$(EXTVERSION).sql
# The frozen install scripts of released versions and every upgrade script.
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

# pg_regress: inputs in test/sql, expected output in ./expected.  pg_regress
# looks for test/sql and expected/ under --outputdir before --inputdir, so
# the output goes to test/ (test/results): ./sql holds the install script's
# parts, some of which share a test's name.
REGRESS = semver_input semver_order semver_functions bump_policy audit_log governance scoring \
	scoring_redefine scoring_oracle scoring_models scoring_compat propose_overlap seed_formats \
	evidence_oracle logistic_oracle backtest
REGRESS_OPTS = --inputdir=. --outputdir=test

# Isolation specs live in test/specs.  pg_isolation_regress looks for specs
# and expected files under --outputdir before --inputdir, so pointing the
# output at test/ finds the specs there and the expected files in ./expected.
ISOLATION = bump_policy_concurrency audit_chain deploy_race scoring_cursor propose_race monitor_race \
	rollback_race parallel_version models_deploy retire_race events ack_race
ISOLATION_OPTS = --outputdir=test

PG_MAJOR ?= 15
PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/$(PG_MAJOR)/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

EXTRA_CLEAN = test/results test/regression.diffs test/regression.out test/regress.diffs test/isolation.diffs \
	regression.diffs regression.out test/fuzz/build

# The PGXS rules exist only once postgresql-server-dev is installed; the
# targets below install it first.
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif

sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $(SQL_PARTS) > $@

# The upgrade script to the version under development: the hand-written
# steps in sql/updates/, with every function of the parts (see
# scripts/upgrade-script.pl).  When a version is released, its scripts are
# committed and frozen like sql/modelgov--0.1.0.sql.
sql/$(EXTENSION)--%--$(EXTVERSION).sql: sql/updates/%--$(EXTVERSION).sql $(SQL_PARTS) scripts/upgrade-script.pl
	perl scripts/upgrade-script.pl $< $(SQL_PARTS) > $@

.PHONY: deps demo test fuzz bench

deps:
	@scripts/install-deps.sh

demo: deps
	@scripts/build-install.sh
	@pg_virtualenv -v $(PG_MAJOR) scripts/demo.sh

test: deps
	@scripts/build-install.sh -Werror
	@pg_virtualenv -v $(PG_MAJOR) scripts/run-tests.sh

fuzz:
	@test/fuzz/run.sh $(or $(FUZZ_SECONDS),300)

bench: deps
	@scripts/build-install.sh
	@pg_virtualenv -v $(PG_MAJOR) bench/run.sh
	@bench/callgrind.sh
