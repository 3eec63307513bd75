/*-------------------------------------------------------------------------
 *
 * semver.h
 *		What the modelgov.semver type (semver.c) offers the other C files.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_SEMVER_H
#define MODELGOV_SEMVER_H

#include "fmgr.h"

#include "semver_core.h"

/*
 * The canonical text of a semver Datum without its build metadata, which
 * identifies a version.  buf must hold MG_SEMVER_MAX_LEN + 1 bytes.
 */
extern void mg_semver_key(Datum d, char *buf);

#endif							/* MODELGOV_SEMVER_H */
