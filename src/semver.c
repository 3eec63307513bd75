/*-------------------------------------------------------------------------
 *
 * semver.c
 *		The modelgov.semver base type: I/O, comparison, hashing, accessors,
 *		bumps and npm-style ranges.
 *
 * Parsing and precedence live in semver_core.c (pure C); this file only
 * maps between the on-disk form and that code.
 *
 * On-disk form: a varlena with 4-byte header (STORAGE = plain, so it is
 * never packed or compressed, and ALIGNMENT = double), two 16-bit lengths,
 * the three numbers, then the prerelease and build bytes, unterminated.
 * Because the text form is canonical, two versions are equal exactly when
 * their numbers and prerelease bytes are equal, which the hashes rely on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/typcache.h"

#include "compat.h"
#include "semver.h"

/* Binary format version written by semver_send. */
#define SEMVER_BINARY_FORMAT 1

typedef struct SemVer
{
	int32		vl_len_;		/* varlena header (do not touch directly!) */
	uint16		prelen;
	uint16		buildlen;
	int64		major;
	int64		minor;
	int64		patch;
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* prerelease, then build */
} SemVer;

#define DatumGetSemVerP(X)		((SemVer *) PG_DETOAST_DATUM(X))
#define PG_GETARG_SEMVER_P(n)	DatumGetSemVerP(PG_GETARG_DATUM(n))
#define PG_RETURN_SEMVER_P(x)	PG_RETURN_POINTER(x)

static SemVer *
semver_build(const MgSemver *v)
{
	Size		size = offsetof(SemVer, data) + v->prelen + v->buildlen;
	SemVer	   *result = (SemVer *) palloc0(size);

	SET_VARSIZE(result, size);
	result->prelen = (uint16) v->prelen;
	result->buildlen = (uint16) v->buildlen;
	result->major = v->major;
	result->minor = v->minor;
	result->patch = v->patch;
	if (v->prelen)
		memcpy(result->data, v->pre, v->prelen);
	if (v->buildlen)
		memcpy(result->data + v->prelen, v->build, v->buildlen);
	return result;
}

static void
semver_view(const SemVer *sv, MgSemver *v)
{
	v->major = sv->major;
	v->minor = sv->minor;
	v->patch = sv->patch;
	v->pre = sv->data;
	v->prelen = sv->prelen;
	v->build = sv->data + sv->prelen;
	v->buildlen = sv->buildlen;
}

static char *
semver_to_cstring(const SemVer *sv)
{
	MgSemver	v;
	char	   *buf = palloc(MG_SEMVER_MAX_LEN + 1);

	semver_view(sv, &v);
	mg_semver_format(&v, buf, MG_SEMVER_MAX_LEN + 1);
	return buf;
}

/*
 * Parse text; on failure report through escontext (hard error when it is
 * NULL) with binary selecting the error code of a receive function.
 */
static SemVer *
semver_parse_or_report(const char *str, size_t len, bool binary,
					   Node *escontext)
{
	MgSemver	v;
	MgSemverError err;

	if (mg_semver_parse(str, len, &v, &err) == MG_SEMVER_OK)
		return semver_build(&v);

	if (binary)
		ereturn(escontext, NULL,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external semver value"),
				 errdetail("At byte %zu: %s", err.position, err.message)));
	if (err.status == MG_SEMVER_RANGE)
		ereturn(escontext, NULL,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value \"%s\" is out of range for type semver", str),
				 errdetail("At character %zu: %s", err.position, err.message)));
	ereturn(escontext, NULL,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type semver: \"%s\"", str),
			 errdetail("At character %zu: %s", err.position, err.message)));
}

PG_FUNCTION_INFO_V1(mg_semver_in);
Datum
mg_semver_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	SemVer	   *result;

	result = semver_parse_or_report(str, strlen(str), false,
									MG_ERRCONTEXT(fcinfo));
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_SEMVER_P(result);
}

PG_FUNCTION_INFO_V1(mg_semver_out);
Datum
mg_semver_out(PG_FUNCTION_ARGS)
{
	SemVer	   *sv = PG_GETARG_SEMVER_P(0);

	PG_RETURN_CSTRING(semver_to_cstring(sv));
}

/*
 * Binary form: one format byte (SEMVER_BINARY_FORMAT), then the canonical
 * text.  The receiver runs the full parser, so a peer cannot smuggle in a
 * value that the text input would refuse.
 */
PG_FUNCTION_INFO_V1(mg_semver_recv);
Datum
mg_semver_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			format;
	int			len;
	const char *text;

	if (buf->cursor >= buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external semver value"),
				 errdetail("The value is empty; it must start with a format byte.")));
	format = pq_getmsgbyte(buf);
	if (format != SEMVER_BINARY_FORMAT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external semver value"),
				 errdetail("Binary format version %d is not supported; this server reads version %d.",
						   format, SEMVER_BINARY_FORMAT)));
	len = buf->len - buf->cursor;
	text = pq_getmsgbytes(buf, len);
	PG_RETURN_SEMVER_P(semver_parse_or_report(text, len, true, NULL));
}

PG_FUNCTION_INFO_V1(mg_semver_send);
Datum
mg_semver_send(PG_FUNCTION_ARGS)
{
	SemVer	   *sv = PG_GETARG_SEMVER_P(0);
	char	   *str = semver_to_cstring(sv);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SEMVER_BINARY_FORMAT);
	pq_sendbytes(&buf, str, strlen(str));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * The comparator: detoasting a plain-storage value returns the stored
 * pointer, so this allocates nothing.
 */
static int
semver_cmp_internal(const SemVer *a, const SemVer *b)
{
	MgSemver	va,
				vb;

	semver_view(a, &va);
	semver_view(b, &vb);
	return mg_semver_compare(&va, &vb);
}

#define SEMVER_CMP_FUNC(name, expr) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	SemVer	   *a = PG_GETARG_SEMVER_P(0); \
	SemVer	   *b = PG_GETARG_SEMVER_P(1); \
	int			c = semver_cmp_internal(a, b); \
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	expr; \
}

SEMVER_CMP_FUNC(mg_semver_cmp, PG_RETURN_INT32(c))
SEMVER_CMP_FUNC(mg_semver_eq, PG_RETURN_BOOL(c == 0))
SEMVER_CMP_FUNC(mg_semver_ne, PG_RETURN_BOOL(c != 0))
SEMVER_CMP_FUNC(mg_semver_lt, PG_RETURN_BOOL(c < 0))
SEMVER_CMP_FUNC(mg_semver_le, PG_RETURN_BOOL(c <= 0))
SEMVER_CMP_FUNC(mg_semver_gt, PG_RETURN_BOOL(c > 0))
SEMVER_CMP_FUNC(mg_semver_ge, PG_RETURN_BOOL(c >= 0))

PG_FUNCTION_INFO_V1(mg_semver_smaller);
Datum
mg_semver_smaller(PG_FUNCTION_ARGS)
{
	SemVer	   *a = PG_GETARG_SEMVER_P(0);
	SemVer	   *b = PG_GETARG_SEMVER_P(1);

	PG_RETURN_SEMVER_P(semver_cmp_internal(a, b) <= 0 ? a : b);
}

PG_FUNCTION_INFO_V1(mg_semver_larger);
Datum
mg_semver_larger(PG_FUNCTION_ARGS)
{
	SemVer	   *a = PG_GETARG_SEMVER_P(0);
	SemVer	   *b = PG_GETARG_SEMVER_P(1);

	PG_RETURN_SEMVER_P(semver_cmp_internal(a, b) >= 0 ? a : b);
}

/*
 * Hashes cover the numbers and the prerelease, never the build metadata, so
 * that values equal under "=" hash alike.  The numbers go into the key in
 * big-endian order, so the key's bytes are the same on every platform;
 * hash_any() itself, like every core hash, still depends on the byte order
 * of the machine, so hash partitions move between platforms only through
 * pg_dump --load-via-partition-root.
 */
static Size
semver_hash_key(const SemVer *sv, unsigned char *key)
{
	uint64		n[3];

	n[0] = pg_hton64((uint64) sv->major);
	n[1] = pg_hton64((uint64) sv->minor);
	n[2] = pg_hton64((uint64) sv->patch);
	memcpy(key, n, sizeof(n));
	memcpy(key + sizeof(n), sv->data, sv->prelen);
	return sizeof(n) + sv->prelen;
}

PG_FUNCTION_INFO_V1(mg_semver_hash);
Datum
mg_semver_hash(PG_FUNCTION_ARGS)
{
	SemVer	   *sv = PG_GETARG_SEMVER_P(0);
	unsigned char key[3 * sizeof(uint64) + MG_SEMVER_MAX_LEN];
	Datum		h;

	h = hash_any(key, semver_hash_key(sv, key));
	PG_FREE_IF_COPY(sv, 0);
	return h;
}

PG_FUNCTION_INFO_V1(mg_semver_hash_extended);
Datum
mg_semver_hash_extended(PG_FUNCTION_ARGS)
{
	SemVer	   *sv = PG_GETARG_SEMVER_P(0);
	uint64		seed = PG_GETARG_INT64(1);
	unsigned char key[3 * sizeof(uint64) + MG_SEMVER_MAX_LEN];
	Datum		h;

	h = hash_any_extended(key, semver_hash_key(sv, key), seed);
	PG_FREE_IF_COPY(sv, 0);
	return h;
}

/*
 * The canonical text of a semver Datum without its build metadata, which
 * is what identifies a version: scoring keys its cache with it.
 */
void
mg_semver_key(Datum d, char *buf)
{
	SemVer	   *sv = DatumGetSemVerP(d);
	MgSemver	v;

	semver_view(sv, &v);
	v.buildlen = 0;
	mg_semver_format(&v, buf, MG_SEMVER_MAX_LEN + 1);
	if ((Pointer) sv != DatumGetPointer(d))
		pfree(sv);
}

/* Accessors */

PG_FUNCTION_INFO_V1(mg_semver_major);
Datum
mg_semver_major(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SEMVER_P(0)->major);
}

PG_FUNCTION_INFO_V1(mg_semver_minor);
Datum
mg_semver_minor(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SEMVER_P(0)->minor);
}

PG_FUNCTION_INFO_V1(mg_semver_patch);
Datum
mg_semver_patch(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SEMVER_P(0)->patch);
}

PG_FUNCTION_INFO_V1(mg_semver_prerelease);
Datum
mg_semver_prerelease(PG_FUNCTION_ARGS)
{
	SemVer	   *sv = PG_GETARG_SEMVER_P(0);

	if (sv->prelen == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(sv->data, sv->prelen));
}

PG_FUNCTION_INFO_V1(mg_semver_build);
Datum
mg_semver_build(PG_FUNCTION_ARGS)
{
	SemVer	   *sv = PG_GETARG_SEMVER_P(0);

	if (sv->buildlen == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(sv->data + sv->prelen,
											  sv->buildlen));
}

/* is_semver(text): the pure parser, so it cannot raise for any input. */
PG_FUNCTION_INFO_V1(mg_is_semver);
Datum
mg_is_semver(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(mg_semver_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t),
								   NULL, NULL) == MG_SEMVER_OK);
}

/* modelgov.bump_level, in the order of its enum labels */
typedef enum MgBumpLevel
{
	MG_BUMP_PATCH,
	MG_BUMP_MINOR,
	MG_BUMP_MAJOR
} MgBumpLevel;

/*
 * Map a modelgov.bump_level value to its C enum.  Labels are looked up by
 * name rather than by OID, which differs from one database to the next.
 */
static MgBumpLevel
bump_level_from_datum(Datum level)
{
	char	   *label = DatumGetCString(DirectFunctionCall1(enum_out, level));

	if (strcmp(label, "patch") == 0)
		return MG_BUMP_PATCH;
	if (strcmp(label, "minor") == 0)
		return MG_BUMP_MINOR;
	if (strcmp(label, "major") == 0)
		return MG_BUMP_MAJOR;
	elog(ERROR, "unrecognized bump level \"%s\"", label);
	pg_unreachable();
}

/*
 * semver_bump(v, level), with npm's semantics: a prerelease that already
 * sits at the requested level is finished (1.0.0-rc.1 major -> 1.0.0,
 * 1.2.0-rc.1 minor -> 1.2.0, 1.2.3-rc.1 patch -> 1.2.3); otherwise the
 * number is incremented and lower parts reset.  Build metadata is dropped.
 */
PG_FUNCTION_INFO_V1(mg_semver_bump);
Datum
mg_semver_bump(PG_FUNCTION_ARGS)
{
	SemVer	   *sv = PG_GETARG_SEMVER_P(0);
	MgBumpLevel level = bump_level_from_datum(PG_GETARG_DATUM(1));
	MgSemver	v;
	bool		pre = sv->prelen > 0;
	const char *part = NULL;

	semver_view(sv, &v);
	switch (level)
	{
		case MG_BUMP_MAJOR:
			if (!(pre && v.minor == 0 && v.patch == 0))
			{
				if (v.major == PG_INT64_MAX)
					part = "major";
				else
					v.major++;
				v.minor = v.patch = 0;
			}
			break;
		case MG_BUMP_MINOR:
			if (!(pre && v.patch == 0))
			{
				if (v.minor == PG_INT64_MAX)
					part = "minor";
				else
					v.minor++;
				v.patch = 0;
			}
			break;
		case MG_BUMP_PATCH:
			if (!pre)
			{
				if (v.patch == PG_INT64_MAX)
					part = "patch";
				else
					v.patch++;
			}
			break;
	}
	if (part)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("semver %s version out of range", part),
				 errdetail("Bumping \"%s\" would take its %s version past 9223372036854775807.",
						   semver_to_cstring(sv), part)));
	v.prelen = v.buildlen = 0;
	PG_RETURN_SEMVER_P(semver_build(&v));
}

/*
 * Build the range [v without build, u-0) where u is v incremented at the
 * given level (0 major, 1 minor, 2 patch), lower parts reset.  A number
 * already at its maximum carries into the one above it, which gives the
 * same set of versions; past the largest major there is no upper bound.
 */
static Datum
semver_range(FunctionCallInfo fcinfo, const SemVer *sv, int level)
{
	TypeCacheEntry *typcache = (TypeCacheEntry *) fcinfo->flinfo->fn_extra;
	RangeBound	lower,
				upper;
	MgSemver	lo,
				up;
	int64	   *parts[3];

	if (typcache == NULL)
	{
		Oid			rngtypid = get_fn_expr_rettype(fcinfo->flinfo);

		typcache = lookup_type_cache(rngtypid, TYPECACHE_RANGE_INFO);
		if (typcache->rngelemtype == NULL)
			elog(ERROR, "type %u is not a range type", rngtypid);
		fcinfo->flinfo->fn_extra = typcache;
	}

	semver_view(sv, &lo);
	lo.buildlen = 0;
	lower.val = PointerGetDatum(semver_build(&lo));
	lower.infinite = false;
	lower.inclusive = true;
	lower.lower = true;

	up = lo;
	up.pre = "0";
	up.prelen = 1;
	parts[0] = &up.major;
	parts[1] = &up.minor;
	parts[2] = &up.patch;
	while (level >= 0 && *parts[level] == PG_INT64_MAX)
		level--;
	if (level >= 0)
	{
		(*parts[level])++;
		for (int i = level + 1; i < 3; i++)
			*parts[i] = 0;
	}
	upper.val = level < 0 ? (Datum) 0 : PointerGetDatum(semver_build(&up));
	upper.infinite = level < 0;
	upper.inclusive = false;
	upper.lower = false;

	PG_RETURN_RANGE_P(mg_make_range(typcache, &lower, &upper, false));
}

/*
 * ^v: npm's caret range, which allows changes that keep the left-most
 * non-zero number: ^1.2.3 = [1.2.3, 2.0.0-0), ^0.2.3 = [0.2.3, 0.3.0-0),
 * ^0.0.3 = [0.0.3, 0.0.4-0).
 */
PG_FUNCTION_INFO_V1(mg_semver_caret);
Datum
mg_semver_caret(PG_FUNCTION_ARGS)
{
	SemVer	   *sv = PG_GETARG_SEMVER_P(0);

	return semver_range(fcinfo, sv,
						sv->major > 0 ? 0 : sv->minor > 0 ? 1 : 2);
}

/*
 * ~v: npm's tilde range for a full version, patch-level changes only:
 * ~1.2.3 = [1.2.3, 1.3.0-0).
 */
PG_FUNCTION_INFO_V1(mg_semver_tilde);
Datum
mg_semver_tilde(PG_FUNCTION_ARGS)
{
	return semver_range(fcinfo, PG_GETARG_SEMVER_P(0), 1);
}
