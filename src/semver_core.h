/*-------------------------------------------------------------------------
 *
 * semver_core.h
 *		Semantic Versioning 2.0.0 parser, comparator and formatter.
 *
 * This part is plain C99 with no PostgreSQL dependency, so that it can be
 * linked into a fuzzing harness on its own.  The backend wrapper lives in
 * semver.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_SEMVER_CORE_H
#define MODELGOV_SEMVER_CORE_H

#include <stddef.h>
#include <stdint.h>

/* Longest accepted text form, in bytes. */
#define MG_SEMVER_MAX_LEN 256

/* Largest accepted major, minor or patch number (that of bigint). */
#define MG_SEMVER_MAX_NUMBER INT64_MAX

typedef enum MgSemverStatus
{
	MG_SEMVER_OK = 0,
	MG_SEMVER_SYNTAX,			/* malformed text */
	MG_SEMVER_RANGE				/* a number exceeds MG_SEMVER_MAX_NUMBER */
} MgSemverStatus;

/*
 * A parsed version.  pre and build point into storage owned by the caller
 * (the parsed text, or a stored value); they are not NUL-terminated.
 */
typedef struct MgSemver
{
	int64_t		major;
	int64_t		minor;
	int64_t		patch;
	const char *pre;
	size_t		prelen;			/* 0 when there is no prerelease */
	const char *build;
	size_t		buildlen;		/* 0 when there is no build metadata */
} MgSemver;

/*
 * Why a parse failed.  message is a static sentence without the position;
 * position is the 1-based byte offset of the offending character (len + 1
 * when the text ended too early).
 */
typedef struct MgSemverError
{
	MgSemverStatus status;
	size_t		position;
	const char *message;
} MgSemverError;

extern MgSemverStatus mg_semver_parse(const char *text, size_t len,
									  MgSemver *result, MgSemverError *error);
extern int	mg_semver_compare(const MgSemver *a, const MgSemver *b);
extern int	mg_semver_compare_prerelease(const char *a, size_t alen,
										 const char *b, size_t blen);
extern size_t mg_semver_format(const MgSemver *v, char *buf, size_t buflen);

#endif							/* MODELGOV_SEMVER_CORE_H */
