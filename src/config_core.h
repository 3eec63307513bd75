/*-------------------------------------------------------------------------
 *
 * config_core.h
 *		Validate, normalize and compile a version's configuration (JSON text).
 *
 * Plain C with no PostgreSQL dependency, so that it can be fuzzed on its
 * own (test/fuzz/config_fuzz.c).  This is the one judge of what a valid
 * configuration is:
 *
 *	- mg_config_normalize() takes a configuration as a user writes it,
 *	  applies every rule, and writes the stored (normalized) form;
 *	- mg_config_parse() compiles a configuration into an MgModel for
 *	  scoring.
 *
 * Both run the same checks, so everything mg_config_normalize() accepts
 * compiles, into the same model as its normalized form does.
 *
 * All memory comes from the caller's allocator; nothing is freed here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_CONFIG_CORE_H
#define MODELGOV_CONFIG_CORE_H

#include <stddef.h>

#include "model_core.h"

typedef enum MgConfigErrorKind
{
	MG_CONFIG_OK = 0,
	MG_CONFIG_INVALID,			/* the configuration breaks a rule */
	MG_CONFIG_LIMIT,			/* it exceeds a size limit */
	MG_CONFIG_OUT_OF_MEMORY		/* the allocator returned NULL */
} MgConfigErrorKind;

typedef struct MgConfigError
{
	MgConfigErrorKind kind;
	size_t		position;		/* byte offset in the text, 0-based */
	char		path[128];		/* the key, e.g. "weights[3]"; "" for the root */
	char		message[320];	/* a sentence naming the key */
} MgConfigError;

/* Longest configuration text accepted, and most features and rules. */
#define MG_CONFIG_MAX_LEN		(16 * 1024 * 1024)
#define MG_CONFIG_MAX_FEATURES	1000
#define MG_CONFIG_MAX_RULES		1000
#define MG_CONFIG_MAX_DEPTH		16
/* Largest absolute value of a number */
#define MG_CONFIG_MAX_NUMBER	1e300

/*
 * Check text[0..len) and write its normalized form to *out (NUL-terminated,
 * *outlen bytes without the NUL).  Returns 0, or -1 with *error filled.
 */
extern int	mg_config_normalize(const char *text, size_t len, MgAlloc alloc, void *ctx,
								char **out, size_t *outlen, MgConfigError *error);

/*
 * Compile text[0..len) into *model (whose version field the caller fills).
 * Returns 0, or -1 with *error filled; *model is then unusable.  The
 * model's strings and arrays are allocated with alloc, as is the parse
 * tree: copy the model with mg_model_copy() to keep only what it needs.
 */
extern int	mg_config_parse(const char *text, size_t len, MgAlloc alloc, void *ctx,
							MgModel *model, MgConfigError *error);

#endif							/* MODELGOV_CONFIG_CORE_H */
