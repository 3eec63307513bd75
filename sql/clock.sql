--
-- Time
--

CREATE FUNCTION modelgov.clock_now() RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'mg_clock_now'
	LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION modelgov.clock_overridden() RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_clock_is_overridden'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION modelgov.clock_now() IS
	'"now" for governance: modelgov.clock when a superuser set it, else the transaction start time';
COMMENT ON FUNCTION modelgov.clock_overridden() IS
	'true while modelgov.clock replaces the current time';
