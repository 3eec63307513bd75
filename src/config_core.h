/*-------------------------------------------------------------------------
 *
 * config_core.h
 *		Parse a version's configuration (JSON text) into an MgModel.
 *
 * Plain C with no PostgreSQL dependency, so that it can be fuzzed on its
 * own (test/fuzz/config_fuzz.c).  The configuration has been validated
 * and normalized by modelgov._normalize_config() when the version was
 * created; this parser still checks everything it relies on, so that no
 * input, however malformed, can make it or the evaluation misbehave.
 *
 * All memory comes from the caller's allocator; nothing is freed here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_CONFIG_CORE_H
#define MODELGOV_CONFIG_CORE_H

#include <stddef.h>

#include "model_core.h"

typedef void *(*MgAlloc) (void *ctx, size_t size);

typedef struct MgConfigError
{
	size_t		position;		/* byte offset in the text, 0-based */
	char		message[160];
} MgConfigError;

/* Longest configuration text accepted, and most features and rules. */
#define MG_CONFIG_MAX_LEN		(16 * 1024 * 1024)
#define MG_CONFIG_MAX_FEATURES	1000
#define MG_CONFIG_MAX_RULES		1000
#define MG_CONFIG_MAX_DEPTH		16

/*
 * Parse text[0..len) into *model (whose version field the caller fills).
 * Returns 0, or -1 with *error filled; *model is then unusable.
 */
extern int	mg_config_parse(const char *text, size_t len, MgAlloc alloc, void *ctx,
							MgModel *model, MgConfigError *error);

#endif							/* MODELGOV_CONFIG_CORE_H */
