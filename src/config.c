/*-------------------------------------------------------------------------
 *
 * config.c
 *		SQL access to the rules of a valid configuration (config_core.c).
 *
 * mg_normalize_config() is the one gate a configuration passes when a
 * version is created: it applies every rule, and returns the normalized
 * form to store, after checking that scoring will compile exactly that.
 * mg_config_compiles() tells whether a stored configuration compiles, for
 * a CHECK constraint.
 *
 * Each call parses in a memory context of its own, deleted before it
 * returns or reports an error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "config_core.h"

/* an allocator for config_core.c: out of memory is an ERROR */
static void *
config_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

/*
 * Make a message safe to report in the database encoding: config_core.c
 * shortens long keys at UTF-8 character boundaries, which can split a
 * character of another encoding.
 */
static const char *
encoding_safe(char *message)
{
	if (!pg_verifymbstr(message, strlen(message), true))
	{
		for (char *c = message; *c; c++)
			if (IS_HIGHBIT_SET(*c))
				*c = '?';
	}
	return message;
}

/* Report a configuration that config_core.c refused. */
static void
report_config_error(MgConfigError *err)
{
	const char *detail = encoding_safe(err->message);

	switch (err->kind)
	{
		case MG_CONFIG_LIMIT:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("model configuration exceeds a limit"),
					 errdetail("%s", detail),
					 errhint("See \"Configuration\" in docs/reference.md for the keys a configuration holds.")));
			break;
		case MG_CONFIG_OUT_OF_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory"),
					 errdetail("%s", detail)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid model configuration"),
					 errdetail("%s", detail),
					 errhint("See \"Configuration\" in docs/reference.md for the keys a configuration holds.")));
			break;
	}
	pg_unreachable();
}

/* the text of a jsonb, allocated in cxt */
static char *
jsonb_text(Jsonb *jb, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	char	   *text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));

	MemoryContextSwitchTo(old);
	return text;
}

/* modelgov_internal.normalize_config(jsonb) -> jsonb */
PG_FUNCTION_INFO_V1(mg_normalize_config);
Datum
mg_normalize_config(PG_FUNCTION_ARGS)
{
	Jsonb	   *config = PG_GETARG_JSONB_P(0);
	MemoryContext cxt;
	char	   *text;
	char	   *normalized = NULL;
	size_t		normalized_len = 0;
	MgConfigError err;
	MgModel		model;
	Datum		result;
	int			rc;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "modelgov configuration",
								ALLOCSET_DEFAULT_SIZES);
	text = jsonb_text(config, cxt);
	rc = mg_config_normalize(text, strlen(text), config_alloc, cxt,
							 &normalized, &normalized_len, &err);
	if (rc != 0)
	{
		MemoryContextDelete(cxt);
		report_config_error(&err);
	}
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(normalized));

	/* scoring compiles the text of the stored jsonb: that must work */
	text = jsonb_text(DatumGetJsonbP(result), cxt);
	memset(&model, 0, sizeof(model));
	if (mg_config_parse(text, strlen(text), config_alloc, cxt, &model, &err) != 0)
		elog(ERROR, "normalized configuration does not compile: %s (%s, at byte %zu)",
			 err.message, err.path, err.position);
	MemoryContextDelete(cxt);
	PG_RETURN_DATUM(result);
}

/* modelgov_internal.config_compiles(jsonb) -> boolean */
PG_FUNCTION_INFO_V1(mg_config_compiles);
Datum
mg_config_compiles(PG_FUNCTION_ARGS)
{
	Jsonb	   *config = PG_GETARG_JSONB_P(0);
	MemoryContext cxt;
	char	   *text;
	MgConfigError err;
	MgModel		model;
	bool		ok;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "modelgov configuration",
								ALLOCSET_DEFAULT_SIZES);
	text = jsonb_text(config, cxt);
	memset(&model, 0, sizeof(model));
	ok = mg_config_parse(text, strlen(text), config_alloc, cxt, &model, &err) == 0;
	MemoryContextDelete(cxt);
	if (!ok && err.kind == MG_CONFIG_OUT_OF_MEMORY)
		report_config_error(&err);
	PG_RETURN_BOOL(ok);
}
