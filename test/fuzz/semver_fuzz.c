/*-------------------------------------------------------------------------
 *
 * semver_fuzz.c
 *		libFuzzer harness for the pure-C SemVer 2.0.0 core (semver_core.c).
 *
 * For every input the harness checks mg_semver_parse() against an
 * independent reference: the official SemVer 2.0.0 regular expression from
 * semver.org, translated to POSIX ERE, plus our two limits (at most 256
 * bytes; major, minor and patch each at most 9223372036854775807, compared
 * as decimal strings).  Accepted input must survive a format round trip
 * byte for byte.
 *
 * The input is then split at its first two '|' or '\n' bytes into up to
 * three candidate versions; those that parse are used to check the
 * comparator: reflexivity, antisymmetry, result range, transitivity, build
 * metadata being ignored, and agreement with an independent reference
 * implementation of SemVer precedence written below.
 *
 * MG_SEMVER_RANGE is expected exactly when the number limit is the only
 * reason the text is rejected; any syntax error takes precedence.
 *
 *-------------------------------------------------------------------------
 */
#include "semver_core.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
 * with "(?:" turned into "(" and "\d" into "[0-9]".  Only ASCII ranges are
 * used; we never call setlocale(), so the "C" locale applies.
 */
#define SEMVER_ERE \
	"^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)" \
	"(-((0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)" \
	"(\\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?" \
	"(\\+([0-9a-zA-Z-]+(\\.[0-9a-zA-Z-]+)*))?$"

#define REF_MAX_LEN		256
#define REF_MAX_NUMBER	"9223372036854775807"

#define MAX_PARTS		3
#define MAX_IDENTS		(REF_MAX_LEN / 2 + 1)

static regex_t semver_re;
static int	semver_re_ready = 0;

/* The input being checked, for failure reports. */
static const uint8_t *cur_data;
static size_t cur_size;

static void
report_failure(const char *what, int line)
{
	size_t		i;

	fprintf(stderr, "semver_fuzz: check failed at line %d: %s\ninput (%zu bytes): \"",
			line, what, cur_size);
	for (i = 0; i < cur_size; i++)
	{
		unsigned char c = cur_data[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputs("\"\n", stderr);
	abort();
}

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			report_failure(#cond, __LINE__); \
	} while (0)

/*-------------------------------------------------------------------------
 * Reference validation
 *-------------------------------------------------------------------------
 */

/* Does a decimal string without leading zero exceed INT64_MAX? */
static int
ref_number_too_big(const char *digits, size_t n)
{
	char		buf[REF_MAX_LEN + 1];

	if (n != strlen(REF_MAX_NUMBER))
		return n > strlen(REF_MAX_NUMBER);
	memcpy(buf, digits, n);
	buf[n] = '\0';
	return strcmp(buf, REF_MAX_NUMBER) > 0;
}

/* Result of the reference check on one text. */
typedef struct RefResult
{
	int			syntax_ok;		/* matches the semver.org expression */
	int			length_ok;		/* at most 256 bytes */
	int			numbers_ok;		/* all of major/minor/patch in range */
	/* decimal strings of major, minor, patch when syntax_ok */
	const char *num[3];
	size_t		numlen[3];
} RefResult;

static void
reference_check(const char *s, size_t len, RefResult *ref)
{
	char	   *copy;

	memset(ref, 0, sizeof(*ref));
	ref->length_ok = (len <= REF_MAX_LEN);
	ref->numbers_ok = 1;

	/* a NUL byte can never be part of a version */
	if (memchr(s, '\0', len) != NULL)
		return;

	copy = malloc(len + 1);
	if (copy == NULL)
		abort();
	memcpy(copy, s, len);
	copy[len] = '\0';
	ref->syntax_ok = (regexec(&semver_re, copy, 0, NULL, 0) == 0);
	free(copy);

	if (ref->syntax_ok)
	{
		/*
		 * The expression guarantees: digits '.' digits '.' digits, then
		 * optionally '-' or '+'.
		 */
		size_t		p = 0;
		int			k;

		for (k = 0; k < 3; k++)
		{
			size_t		start = p;

			while (p < len && s[p] >= '0' && s[p] <= '9')
				p++;
			ref->num[k] = s + start;
			ref->numlen[k] = p - start;
			if (ref_number_too_big(s + start, p - start))
				ref->numbers_ok = 0;
			p++;				/* skip '.', '-', '+' or the end */
		}
	}
}

/*-------------------------------------------------------------------------
 * Reference precedence
 *-------------------------------------------------------------------------
 */

typedef struct RefIdent
{
	const char *p;
	size_t		len;
} RefIdent;

static size_t
split_idents(const char *s, size_t len, RefIdent *out)
{
	size_t		n = 0;
	size_t		start = 0;
	size_t		i;

	for (i = 0; i <= len; i++)
	{
		if (i == len || s[i] == '.')
		{
			CHECK(n < MAX_IDENTS);
			out[n].p = s + start;
			out[n].len = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

static int
all_digits(const RefIdent *id)
{
	size_t		i;

	for (i = 0; i < id->len; i++)
		if (id->p[i] < '0' || id->p[i] > '9')
			return 0;
	return 1;
}

static int
sign(int c)
{
	return (c > 0) - (c < 0);
}

static int
ref_compare_ident(const RefIdent *a, const RefIdent *b)
{
	char		abuf[REF_MAX_LEN + 1];
	char		bbuf[REF_MAX_LEN + 1];
	int			anum = all_digits(a);
	int			bnum = all_digits(b);

	if (anum != bnum)
		return anum ? -1 : 1;	/* numeric ranks below alphanumeric */
	if (anum && a->len != b->len)
		return a->len < b->len ? -1 : 1;	/* no leading zeros */

	memcpy(abuf, a->p, a->len);
	abuf[a->len] = '\0';
	memcpy(bbuf, b->p, b->len);
	bbuf[b->len] = '\0';
	return sign(strcmp(abuf, bbuf));
}

static int
ref_compare_prerelease(const char *a, size_t alen, const char *b, size_t blen)
{
	RefIdent	ai[MAX_IDENTS];
	RefIdent	bi[MAX_IDENTS];
	size_t		an;
	size_t		bn;
	size_t		i;

	/* no prerelease ranks above any prerelease */
	if (alen == 0 && blen == 0)
		return 0;
	if (alen == 0)
		return 1;
	if (blen == 0)
		return -1;

	an = split_idents(a, alen, ai);
	bn = split_idents(b, blen, bi);
	for (i = 0; i < an && i < bn; i++)
	{
		int			c = ref_compare_ident(&ai[i], &bi[i]);

		if (c != 0)
			return c;
	}
	/* equal prefix: the longer list wins */
	return (an > bn) - (an < bn);
}

static int
ref_compare_number(const char *a, size_t alen, const char *b, size_t blen)
{
	RefIdent	x = {a, alen};
	RefIdent	y = {b, blen};

	return ref_compare_ident(&x, &y);
}

/* A parsed version together with the reference view of its text. */
typedef struct Candidate
{
	MgSemver	v;
	RefResult	ref;
} Candidate;

static int
ref_compare(const Candidate *a, const Candidate *b)
{
	int			k;
	int			c;

	for (k = 0; k < 3; k++)
	{
		c = ref_compare_number(a->ref.num[k], a->ref.numlen[k],
							   b->ref.num[k], b->ref.numlen[k]);
		if (c != 0)
			return c;
	}
	return ref_compare_prerelease(a->v.pre, a->v.prelen,
								  b->v.pre, b->v.prelen);
}

/*-------------------------------------------------------------------------
 * Checks
 *-------------------------------------------------------------------------
 */

/*
 * Parse one text, check it against the reference, and for accepted text
 * check the format round trip.  Returns 1 and fills *cand when accepted.
 */
static int
check_one(const char *s, size_t len, Candidate *cand)
{
	MgSemver	v;
	MgSemverError err;
	MgSemverStatus st;
	RefResult	ref;
	int			expect_ok;
	int			expect_range;
	char		buf[REF_MAX_LEN + 64];
	size_t		n;

	memset(&err, 0x7f, sizeof(err));
	st = mg_semver_parse(s, len, &v, &err);
	reference_check(s, len, &ref);

	expect_ok = ref.syntax_ok && ref.length_ok && ref.numbers_ok;
	/* MG_SEMVER_RANGE exactly when the number limit is the only fault */
	expect_range = ref.syntax_ok && ref.length_ok && !ref.numbers_ok;

	/* the parser and the reference agree on acceptance */
	CHECK((st == MG_SEMVER_OK) == expect_ok);
	CHECK(st == MG_SEMVER_OK || st == MG_SEMVER_SYNTAX || st == MG_SEMVER_RANGE);

	if (st != MG_SEMVER_OK)
	{
		CHECK((st == MG_SEMVER_RANGE) == expect_range);
		CHECK(err.status == st);
		CHECK(err.message != NULL && err.message[0] != '\0');
		CHECK(err.position >= 1 && err.position <= len + 1);
		/* a NULL result and error are allowed and change nothing */
		CHECK(mg_semver_parse(s, len, NULL, NULL) == st);
		return 0;
	}

	CHECK(mg_semver_parse(s, len, NULL, NULL) == MG_SEMVER_OK);

	/* pre and build point into the text, in order, at the right places */
	CHECK(v.major >= 0 && v.minor >= 0 && v.patch >= 0);
	if (v.prelen > 0)
	{
		CHECK(v.pre > s && v.pre + v.prelen <= s + len);
		CHECK(v.pre[-1] == '-');
	}
	if (v.buildlen > 0)
	{
		CHECK(v.build > s && v.build + v.buildlen == s + len);
		CHECK(v.build[-1] == '+');
		CHECK(v.prelen == 0 || v.pre + v.prelen + 1 == v.build);
	}
	else if (v.prelen > 0)
		CHECK(v.pre + v.prelen == s + len);

	/* round trip: formatting gives back the input, byte for byte */
	memset(buf, 'X', sizeof(buf));
	n = mg_semver_format(&v, buf, sizeof(buf));
	CHECK(n == len);
	CHECK(buf[n] == '\0');
	CHECK(memcmp(buf, s, len) == 0);

	/* snprintf semantics on a buffer one byte too short */
	memset(buf, 'X', sizeof(buf));
	n = mg_semver_format(&v, buf, len);
	CHECK(n == len);
	CHECK(buf[len - 1] == '\0' && buf[len] == 'X');
	CHECK(memcmp(buf, s, len - 1) == 0);

	cand->v = v;
	cand->ref = ref;
	return 1;
}

static int
valid_result(int c)
{
	return c == -1 || c == 0 || c == 1;
}

static void
check_compare_pair(const Candidate *a, const Candidate *b)
{
	int			ab = mg_semver_compare(&a->v, &b->v);
	int			ba = mg_semver_compare(&b->v, &a->v);
	int			pab = mg_semver_compare_prerelease(a->v.pre, a->v.prelen,
												   b->v.pre, b->v.prelen);
	int			pba = mg_semver_compare_prerelease(b->v.pre, b->v.prelen,
												   a->v.pre, a->v.prelen);

	CHECK(valid_result(ab) && valid_result(ba));
	CHECK(valid_result(pab) && valid_result(pba));
	CHECK(ab == -ba);
	CHECK(pab == -pba);
	CHECK(ab == ref_compare(a, b));
	CHECK(pab == ref_compare_prerelease(a->v.pre, a->v.prelen,
										b->v.pre, b->v.prelen));
}

/* Properties of one version on its own. */
static void
check_compare_self(const Candidate *a)
{
	Candidate	nobuild = *a;
	Candidate	nopre = *a;
	RefIdent	ids[MAX_IDENTS];
	size_t		nids;
	size_t		k;

	CHECK(mg_semver_compare(&a->v, &a->v) == 0);
	CHECK(mg_semver_compare_prerelease(a->v.pre, a->v.prelen,
									   a->v.pre, a->v.prelen) == 0);

	/* build metadata never matters */
	nobuild.v.build = NULL;
	nobuild.v.buildlen = 0;
	CHECK(mg_semver_compare(&a->v, &nobuild.v) == 0);
	CHECK(mg_semver_compare(&nobuild.v, &a->v) == 0);

	if (a->v.prelen == 0)
		return;

	/* the release ranks above its prereleases */
	nopre.v.pre = NULL;
	nopre.v.prelen = 0;
	CHECK(mg_semver_compare(&a->v, &nopre.v) == -1);
	CHECK(mg_semver_compare(&nopre.v, &a->v) == 1);
	check_compare_pair(a, &nopre);

	/* every proper prefix of the identifier list ranks below the whole */
	nids = split_idents(a->v.pre, a->v.prelen, ids);
	for (k = 1; k < nids; k++)
	{
		Candidate	prefix = *a;

		prefix.v.prelen = (size_t) (ids[k].p - 1 - a->v.pre);
		CHECK(mg_semver_compare(&prefix.v, &a->v) == -1);
		check_compare_pair(&prefix, a);
	}
}

static void
check_comparator(const Candidate *c, int n)
{
	int			i,
				j,
				k;

	for (i = 0; i < n; i++)
	{
		check_compare_self(&c[i]);
		for (j = 0; j < n; j++)
		{
			Candidate	swapped;

			check_compare_pair(&c[i], &c[j]);

			/* exchanging build metadata changes nothing */
			swapped = c[i];
			swapped.v.build = c[j].v.build;
			swapped.v.buildlen = c[j].v.buildlen;
			CHECK(mg_semver_compare(&swapped.v, &c[j].v) ==
				  mg_semver_compare(&c[i].v, &c[j].v));
		}
	}

	/* transitivity over every ordering of the candidates */
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			for (k = 0; k < n; k++)
			{
				int			ij = mg_semver_compare(&c[i].v, &c[j].v);
				int			jk = mg_semver_compare(&c[j].v, &c[k].v);
				int			ik = mg_semver_compare(&c[i].v, &c[k].v);

				if (ij <= 0 && jk <= 0)
					CHECK(ik <= 0);
				if (ij < 0 && jk <= 0)
					CHECK(ik < 0);
				if (ij == 0 && jk == 0)
					CHECK(ik == 0);
			}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data;
	Candidate	whole;
	Candidate	cands[MAX_PARTS];
	int			ncands = 0;
	size_t		start = 0;
	size_t		i;
	int			parts = 0;
	int			whole_ok;

	if (!semver_re_ready)
	{
		if (regcomp(&semver_re, SEMVER_ERE, REG_EXTENDED | REG_NOSUB) != 0)
		{
			fprintf(stderr, "semver_fuzz: cannot compile the reference expression\n");
			abort();
		}
		semver_re_ready = 1;
	}

	cur_data = data;
	cur_size = size;

	/* a. and b.: the whole input as one version */
	whole_ok = check_one(s, size, &whole);

	/* c.: up to three versions separated by the first two '|' or '\n' */
	for (i = 0; i < size && parts < MAX_PARTS - 1; i++)
	{
		if (s[i] == '|' || s[i] == '\n')
		{
			if (check_one(s + start, i - start, &cands[ncands]))
				ncands++;
			parts++;
			start = i + 1;
		}
	}
	if (parts == 0)
	{
		/* no separator: the whole input is the only candidate */
		if (whole_ok)
			cands[ncands++] = whole;
	}
	else if (check_one(s + start, size - start, &cands[ncands]))
		ncands++;
	if (ncands > 0)
		check_comparator(cands, ncands);

	return 0;
}
