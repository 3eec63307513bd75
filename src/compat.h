/*-------------------------------------------------------------------------
 *
 * compat.h
 *		The one place where modelgov bridges PostgreSQL major versions.
 *
 * modelgov is built and tested on PostgreSQL 15 only.  The C code is meant
 * to build on 13 to 17: every call known to differ between those versions
 * goes through a macro defined here, but no version other than 15 is built
 * by the project's tests, so treat the others as unverified; 18 and later
 * have not been looked at.  Versions before 13 are refused.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_COMPAT_H
#define MODELGOV_COMPAT_H

#if PG_VERSION_NUM < 130000
#error "modelgov requires PostgreSQL 13 or later"
#endif

#include "utils/rangetypes.h"

#include "common/hashfn.h"

/*
 * Input functions report errors softly from PostgreSQL 16 on (so that
 * pg_input_is_valid() works); before that, ereturn is plain ereport.
 */
#if PG_VERSION_NUM >= 160000
#define MG_ERRCONTEXT(fcinfo)	((fcinfo)->context)
#else
#define MG_ERRCONTEXT(fcinfo)	NULL
#define ereturn(context, dummy_value, ...) \
	do { \
		(void) (context); \
		ereport(ERROR, __VA_ARGS__); \
		return dummy_value; \
	} while (0)
#endif

/* make_range() gained a soft-error argument in PostgreSQL 16. */
#if PG_VERSION_NUM >= 160000
#define mg_make_range(typcache, lower, upper, empty) \
	make_range((typcache), (lower), (upper), (empty), NULL)
#else
#define mg_make_range(typcache, lower, upper, empty) \
	make_range((typcache), (lower), (upper), (empty))
#endif

/* MarkGUCPrefixReserved() was EmitWarningsOnPlaceholders() before 15. */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/*
 * HASH_STRINGS appeared in PostgreSQL 14; before that, string keys were
 * the default of hash_create() when neither HASH_BLOBS nor HASH_FUNCTION
 * is given, so it can be read as no flag at all.
 */
#if PG_VERSION_NUM < 140000
#define HASH_STRINGS 0
#endif

/* The local transaction id of this backend moved into MyProc->vxid in 17. */
#if PG_VERSION_NUM >= 170000
#define MG_MY_LXID	(MyProc->vxid.lxid)
#else
#define MG_MY_LXID	(MyProc->lxid)
#endif

#endif							/* MODELGOV_COMPAT_H */
