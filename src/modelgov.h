/*-------------------------------------------------------------------------
 *
 * modelgov.h
 *		Module-wide declarations: the initialization each C file needs at
 *		load time (called from _PG_init), and the identity of the
 *		extension's tables.
 *
 * What one C file offers another lives in that file's own header
 * (semver.h, config_core.h, model_core.h, ...).
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_H
#define MODELGOV_H

#include "fmgr.h"

extern void _PG_init(void);

/* load-time initialization, in clock.c and scoring.c */
extern void mg_clock_init(void);
extern void mg_audit_init(void);
extern void mg_scoring_init(void);
extern void mg_evidence_init(void);

/* subscriber.c */
extern void mg_refuse_on_subscriber(Oid function);

/* OID of modelgov.environments, or InvalidOid (active.c) */
extern Oid	mg_extension_namespace(void);
extern Oid	mg_environments_relid(void);

#endif							/* MODELGOV_H */
