/*-------------------------------------------------------------------------
 *
 * semver_core.c
 *		Semantic Versioning 2.0.0 parser, comparator and formatter.
 *
 * Pure C: no allocation, no PostgreSQL calls, no locale.  The grammar is
 * exactly that of semver.org:
 *
 *	version    := number "." number "." number [ "-" prerelease ] [ "+" build ]
 *	number     := "0" | [1-9][0-9]*
 *	prerelease := ident ( "." ident )*		(numeric idents without leading 0)
 *	build      := bident ( "." bident )*	(leading zeros allowed)
 *	ident      := [0-9A-Za-z-]+
 *
 * plus two limits of ours: the whole text is at most MG_SEMVER_MAX_LEN
 * bytes, and each of major, minor and patch is at most MG_SEMVER_MAX_NUMBER.
 *
 *-------------------------------------------------------------------------
 */
#include "semver_core.h"

#include <stdio.h>
#include <string.h>

static int
is_ident_char(unsigned char c)
{
	return (c >= '0' && c <= '9') ||
		(c >= 'A' && c <= 'Z') ||
		(c >= 'a' && c <= 'z') ||
		c == '-';
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static MgSemverStatus
fail(MgSemverError *error, MgSemverStatus status, size_t pos,
	 const char *message)
{
	if (error)
	{
		error->status = status;
		error->position = pos + 1;
		error->message = message;
	}
	return status;
}

/*
 * Parse one of major, minor, patch starting at *pos.  Overflow is detected
 * digit by digit, before it can happen; it is only noted in *range (the
 * first one wins), because a malformed text is a syntax error even when it
 * also holds a number that is too large.
 */
static MgSemverStatus
parse_number(const char *s, size_t len, size_t *pos, int64_t *value,
			 const char *what_missing, const char *what_zero,
			 const char *what_range, MgSemverError *range,
			 MgSemverError *error)
{
	size_t		start = *pos;
	size_t		i = start;
	int64_t		v = 0;
	int			overflow = 0;

	if (i >= len || !is_digit((unsigned char) s[i]))
		return fail(error, MG_SEMVER_SYNTAX, i, what_missing);
	if (s[i] == '0' && i + 1 < len && is_digit((unsigned char) s[i + 1]))
		return fail(error, MG_SEMVER_SYNTAX, i, what_zero);
	for (; i < len && is_digit((unsigned char) s[i]); i++)
	{
		int			d = s[i] - '0';

		if (overflow)
			continue;
		if (v > (MG_SEMVER_MAX_NUMBER - d) / 10)
		{
			overflow = 1;
			if (range->status == MG_SEMVER_OK)
				fail(range, MG_SEMVER_RANGE, start, what_range);
			continue;
		}
		v = v * 10 + d;
	}
	*pos = i;
	*value = v;
	return MG_SEMVER_OK;
}

/*
 * Parse a dot-separated identifier list starting at *pos, stopping at the
 * first character that cannot continue it.
 */
static MgSemverStatus
parse_identifiers(const char *s, size_t len, size_t *pos, int prerelease,
				  MgSemverError *error)
{
	size_t		i = *pos;

	for (;;)
	{
		size_t		start = i;
		int			all_digits = 1;

		while (i < len && is_ident_char((unsigned char) s[i]))
		{
			if (!is_digit((unsigned char) s[i]))
				all_digits = 0;
			i++;
		}
		/* an identifier ends at ".", at "+" (prerelease only), or at the end */
		if (i < len && s[i] != '.' && !(prerelease && s[i] == '+'))
			return fail(error, MG_SEMVER_SYNTAX, i,
						prerelease ? "Character not allowed in a prerelease identifier; only [0-9A-Za-z-] are."
						: "Character not allowed in build metadata; only [0-9A-Za-z-] are.");
		if (i == start)
			return fail(error, MG_SEMVER_SYNTAX, i,
						prerelease ? "Empty prerelease identifier."
						: "Empty build metadata identifier.");
		if (prerelease && all_digits && s[start] == '0' && i - start > 1)
			return fail(error, MG_SEMVER_SYNTAX, start,
						"Numeric prerelease identifier has a leading zero.");
		if (i < len && s[i] == '.')
		{
			i++;
			continue;
		}
		break;
	}
	*pos = i;
	return MG_SEMVER_OK;
}

MgSemverStatus
mg_semver_parse(const char *s, size_t len, MgSemver *result,
				MgSemverError *error)
{
	size_t		i = 0;
	MgSemverStatus st;
	MgSemver	v;
	MgSemverError range = {MG_SEMVER_OK, 0, NULL};

	if (len > MG_SEMVER_MAX_LEN)
		return fail(error, MG_SEMVER_SYNTAX, MG_SEMVER_MAX_LEN,
					"Version text is longer than 256 bytes.");
	if (len == 0)
		return fail(error, MG_SEMVER_SYNTAX, 0, "Version text is empty.");

	memset(&v, 0, sizeof(v));

	st = parse_number(s, len, &i, &v.major,
					  "Expected a digit starting the major version.",
					  "Major version has a leading zero.",
					  "Major version exceeds 9223372036854775807.",
					  &range, error);
	if (st != MG_SEMVER_OK)
		return st;
	if (i >= len || s[i] != '.')
		return fail(error, MG_SEMVER_SYNTAX, i,
					"Expected \".\" after the major version.");
	i++;
	st = parse_number(s, len, &i, &v.minor,
					  "Expected a digit starting the minor version.",
					  "Minor version has a leading zero.",
					  "Minor version exceeds 9223372036854775807.",
					  &range, error);
	if (st != MG_SEMVER_OK)
		return st;
	if (i >= len || s[i] != '.')
		return fail(error, MG_SEMVER_SYNTAX, i,
					"Expected \".\" after the minor version.");
	i++;
	st = parse_number(s, len, &i, &v.patch,
					  "Expected a digit starting the patch version.",
					  "Patch version has a leading zero.",
					  "Patch version exceeds 9223372036854775807.",
					  &range, error);
	if (st != MG_SEMVER_OK)
		return st;

	if (i < len && s[i] == '-')
	{
		size_t		start = ++i;

		st = parse_identifiers(s, len, &i, 1, error);
		if (st != MG_SEMVER_OK)
			return st;
		v.pre = s + start;
		v.prelen = i - start;
	}
	if (i < len && s[i] == '+')
	{
		size_t		start = ++i;

		st = parse_identifiers(s, len, &i, 0, error);
		if (st != MG_SEMVER_OK)
			return st;
		v.build = s + start;
		v.buildlen = i - start;
	}
	/* identifier lists consume everything up to the end or a "+" */
	if (i < len)
		return fail(error, MG_SEMVER_SYNTAX, i,
					"Unexpected character after the patch version.");

	if (range.status != MG_SEMVER_OK)
	{
		if (error)
			*error = range;
		return range.status;
	}

	if (result)
		*result = v;
	return MG_SEMVER_OK;
}

static int
sign_of(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

/*
 * Precedence of two prerelease strings (SemVer 2.0.0, item 11).  An empty
 * string means "no prerelease", which ranks above every prerelease.  Both
 * inputs must be valid, so numeric identifiers carry no leading zero and
 * compare by length first, then byte by byte: no conversion, no overflow.
 */
int
mg_semver_compare_prerelease(const char *a, size_t alen,
							 const char *b, size_t blen)
{
	size_t		i = 0;
	size_t		j = 0;

	if (alen == 0 || blen == 0)
		return (alen == 0) - (blen == 0);

	for (;;)
	{
		size_t		as = i,
					bs = j;
		int			anum = 1,
					bnum = 1;
		size_t		al,
					bl;
		int			c;

		while (i < alen && a[i] != '.')
		{
			if (!is_digit((unsigned char) a[i]))
				anum = 0;
			i++;
		}
		while (j < blen && b[j] != '.')
		{
			if (!is_digit((unsigned char) b[j]))
				bnum = 0;
			j++;
		}
		al = i - as;
		bl = j - bs;

		if (anum && bnum)
		{
			if (al != bl)
				return al < bl ? -1 : 1;
			c = memcmp(a + as, b + bs, al);
		}
		else if (anum != bnum)
			return anum ? -1 : 1;
		else
		{
			c = memcmp(a + as, b + bs, al < bl ? al : bl);
			if (c == 0 && al != bl)
				return al < bl ? -1 : 1;
		}
		if (c != 0)
			return c < 0 ? -1 : 1;

		/* identifiers equal: step over the dots */
		if (i >= alen || j >= blen)
			return (i < alen) - (j < blen);
		i++;
		j++;
	}
}

int
mg_semver_compare(const MgSemver *a, const MgSemver *b)
{
	int			c;

	if ((c = sign_of(a->major, b->major)) != 0)
		return c;
	if ((c = sign_of(a->minor, b->minor)) != 0)
		return c;
	if ((c = sign_of(a->patch, b->patch)) != 0)
		return c;
	return mg_semver_compare_prerelease(a->pre, a->prelen, b->pre, b->prelen);
}

/*
 * Write the canonical text of v into buf (NUL-terminated when buflen > 0)
 * and return its length, snprintf-style.
 */
size_t
mg_semver_format(const MgSemver *v, char *buf, size_t buflen)
{
	int			n;

	n = snprintf(buf, buflen, "%lld.%lld.%lld%s%.*s%s%.*s",
				 (long long) v->major, (long long) v->minor,
				 (long long) v->patch,
				 v->prelen ? "-" : "", (int) v->prelen,
				 v->prelen ? v->pre : "",
				 v->buildlen ? "+" : "", (int) v->buildlen,
				 v->buildlen ? v->build : "");
	return n < 0 ? 0 : (size_t) n;
}
