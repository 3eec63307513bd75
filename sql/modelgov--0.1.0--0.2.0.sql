-- modelgov 0.1.0 -> 0.2.0
--
-- Every schema change of 0.2.0 is made here, so that a database updated
-- with ALTER EXTENSION modelgov UPDATE equals a fresh 0.2.0 install
-- (test/shell/upgrade.sh proves it).

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION modelgov UPDATE TO '0.2.0'" to load this file. \quit
