/*-------------------------------------------------------------------------
 *
 * modelgov.h
 *		Declarations shared between the C files of modelgov.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_H
#define MODELGOV_H

#include "fmgr.h"

/* modelgov.bump_level, in the order of its enum labels */
typedef enum MgBumpLevel
{
	MG_BUMP_PATCH,
	MG_BUMP_MINOR,
	MG_BUMP_MAJOR
} MgBumpLevel;

extern MgBumpLevel mg_bump_level_from_datum(Datum level);

extern void mg_clock_init(void);
extern void mg_scoring_init(void);
extern void mg_semver_key(Datum d, char *buf);
extern Oid	mg_environments_relid(void);

extern void _PG_init(void);

#endif							/* MODELGOV_H */
