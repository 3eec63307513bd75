/*-------------------------------------------------------------------------
 *
 * compat.h
 *		The one place where modelgov bridges PostgreSQL major versions.
 *
 * The extension targets PostgreSQL 15 and is kept buildable on 13 to 17.
 * Every version-dependent call goes through a macro defined here.
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

#endif							/* MODELGOV_COMPAT_H */
