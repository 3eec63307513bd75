--
-- Privileges of the internals.  This part comes last: nothing in
-- modelgov_internal is executable by PUBLIC.  The API in modelgov calls the
-- internals with its owner's rights (SECURITY DEFINER) or, for aggregates,
-- its owner's; nobody else needs them.
--

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA modelgov_internal FROM PUBLIC;
