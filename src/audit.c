/*-------------------------------------------------------------------------
 *
 * audit.c
 *		modelgov.verify_audit_log(): the hash chain of the audit log checked
 *		in one pass, in C.
 *
 * Each entry's hash is SHA-256(prev_hash || canonical entry), where the
 * canonical entry is what modelgov_internal.audit_canonical() builds
 * (sql/audit.sql): the fields seq, recorded_at (integer microseconds since
 * the Unix epoch), event_type, actor, version, proposal_id, change_type,
 * status, details (jsonb's text) and clock_overridden, each as
 * "<octets>:<text>" ("-" for NULL), joined by "|", the octets counted in
 * the database encoding and the whole converted to UTF-8.  That is
 * encoding 1, the encoding of every entry written by modelgov 0.1.0;
 * encoding 2 (0.2.0 on) adds the model as an eleventh field.  Each entry
 * says which encoding its hash covers, and a changed encoding number
 * changes the hash.  The model of an encoding-1 entry, which its hash does
 * not cover, is the one the update to 0.2.0 gave it: "default" for an event
 * about the model, none for a database-wide one; and no encoding-1 entry
 * comes after an encoding-2 one.  The entries are
 * read in order through a cursor, in batches; no SQL function runs per
 * entry.  audit_canonical() stays the definition that appends use, and the
 * tests compare the two.
 *
 * It also defines modelgov.lock_timeout, the longest an append waits for
 * the audit log while another transaction appends (sql/audit.sql).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "modelgov.h"

static int	mg_lock_timeout = 10000;

void
mg_audit_init(void)
{
	DefineCustomIntVariable("modelgov.lock_timeout",
							"Longest a governance call waits for the audit log.",
							"Another transaction that appended and has not ended holds it; "
							"0 waits as long as it takes.",
							&mg_lock_timeout,
							10000, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
}

#define FETCH_BATCH 1000

/* microseconds from the Unix epoch to PostgreSQL's */
#define UNIX_TO_POSTGRES_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC)

/* the events of 0.1.0 that are about no model (the update leaves their model NULL) */
static bool
database_wide_event(const char *event, int len)
{
	static const char *const events[] = {"member_added", "member_changed", "member_removed",
	"policy_changed", "monitoring_policy_changed"};

	for (int i = 0; i < lengthof(events); i++)
		if (strlen(events[i]) == len && memcmp(events[i], event, len) == 0)
			return true;
	return false;
}

/*
 * Whether an encoding-1 entry holds the model the update gave it; the
 * arguments are its event_type and model columns.
 */
static bool
encoding1_model_ok(Datum event, Datum model, bool model_null)
{
	text	   *e = DatumGetTextPP(event);
	bool		wide = database_wide_event(VARDATA_ANY(e), VARSIZE_ANY_EXHDR(e));

	if (model_null)
		return wide;
	{
		text	   *m = DatumGetTextPP(model);

		return !wide && VARSIZE_ANY_EXHDR(m) == 7 && memcmp(VARDATA_ANY(m), "default", 7) == 0;
	}
}

/* "<octets>:<text>" of a text field, or "-" */
static void
append_field(StringInfo buf, bool first, const char *data, int len, bool isnull)
{
	if (!first)
		appendStringInfoChar(buf, '|');
	if (isnull)
		appendStringInfoChar(buf, '-');
	else
	{
		appendStringInfo(buf, "%d:", len);
		appendBinaryStringInfo(buf, data, len);
	}
}

static void
append_text_datum(StringInfo buf, Datum d, bool isnull)
{
	if (isnull)
		append_field(buf, false, NULL, 0, true);
	else
	{
		text	   *t = DatumGetTextPP(d);

		append_field(buf, false, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), false);
	}
}

static void
append_int64(StringInfo buf, bool first, int64 v)
{
	char		num[32];

	snprintf(num, sizeof(num), INT64_FORMAT, v);
	append_field(buf, first, num, strlen(num), false);
}

/*
 * Verify the chain from entry from_seq on (1: the whole log).  With an
 * anchor, entry from_seq must exist and hold that hash; the chain is then
 * taken up from its stored prev_hash, which its hash covers, and entries
 * before it are not read.
 */
static Datum
verify_chain(FunctionCallInfo fcinfo, int64 from_seq, const uint8 *anchor)
{
	TupleDesc	tupdesc;
	Portal		portal;
	StringInfoData buf;
	pg_cryptohash_ctx *sha;
	uint8		prev[PG_SHA256_DIGEST_LENGTH] = {0};
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	int64		expected_seq = from_seq;
	bool		anchored = (anchor == NULL);
	int64		entries = 0;
	int64		first_bad = 0;
	bool		ok = true;
	char	   *detail = NULL;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	bool		utf8 = GetDatabaseEncoding() == PG_UTF8;
	bool		seen_encoding2 = false;
	MemoryContext caller = CurrentMemoryContext;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "verify_audit_log must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	sha = pg_cryptohash_create(PG_SHA256);
	if (sha == NULL)
		elog(ERROR, "could not create a SHA-256 context");
	initStringInfo(&buf);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	{
		Oid			argtypes[1] = {INT8OID};
		Datum		args[1] = {Int64GetDatum(from_seq)};

		portal = SPI_cursor_open_with_args(NULL,
										   "SELECT a.seq, a.recorded_at, a.event_type, a.actor, a.version::text,"
										   " a.proposal_id, a.change_type::text, a.status, a.details::text,"
										   " a.clock_overridden, a.prev_hash, a.hash, a.encoding, a.model"
										   " FROM modelgov.audit_log a WHERE a.seq >= $1 ORDER BY a.seq",
										   1, argtypes, args, NULL, true, 0);
	}
	for (;;)
	{
		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		isnull;
			int64		seq = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
			bytea	   *prev_hash = DatumGetByteaPP(SPI_getbinval(tup, desc, 11, &isnull));
			bytea	   *hash = DatumGetByteaPP(SPI_getbinval(tup, desc, 12, &isnull));

			entries++;
			if (!anchored)
			{
				/* the first entry read is the digest's: it must hold the digest's hash */
				anchored = true;
				if (seq != from_seq)
				{
					ok = false;
					first_bad = from_seq;
					detail = psprintf("Entry " INT64_FORMAT " of the digest is missing.", from_seq);
				}
				else if (VARSIZE_ANY_EXHDR(hash) != PG_SHA256_DIGEST_LENGTH ||
						 memcmp(VARDATA_ANY(hash), anchor, PG_SHA256_DIGEST_LENGTH) != 0)
				{
					ok = false;
					first_bad = from_seq;
					detail = psprintf("Entry " INT64_FORMAT " does not match the digest: the chain was rewritten from there or earlier.",
									  from_seq);
				}
				else if (VARSIZE_ANY_EXHDR(prev_hash) == sizeof(prev))
					memcpy(prev, VARDATA_ANY(prev_hash), sizeof(prev));
			}
			if (ok)
			{
				if (seq != expected_seq)
				{
					ok = false;
					first_bad = expected_seq;
					detail = psprintf("Entry " INT64_FORMAT " is missing; the next entry is " INT64_FORMAT ".",
									  expected_seq, seq);
				}
				else if (VARSIZE_ANY_EXHDR(prev_hash) != sizeof(prev) ||
						 memcmp(VARDATA_ANY(prev_hash), prev, sizeof(prev)) != 0)
				{
					ok = false;
					first_bad = seq;
					detail = psprintf("Entry " INT64_FORMAT " does not follow entry " INT64_FORMAT
									  ": its prev_hash differs from that entry's hash.", seq, seq - 1);
				}
				else if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(SPI_getbinval(tup, desc, 2, &isnull))))
				{
					/* appends record finite times: this entry was altered */
					ok = false;
					first_bad = seq;
					detail = psprintf("Entry " INT64_FORMAT " was altered: its content does not match its hash.",
									  seq);
				}
				else
				{
					TimestampTz at = DatumGetTimestampTz(SPI_getbinval(tup, desc, 2, &isnull));
					bool		overridden = DatumGetBool(SPI_getbinval(tup, desc, 10, &isnull));
					int16		encoding = DatumGetInt16(SPI_getbinval(tup, desc, 13, &isnull));
					bool		model_null;
					Datum		model = SPI_getbinval(tup, desc, 14, &model_null);
					char	   *canonical;

					resetStringInfo(&buf);
					append_int64(&buf, true, seq);
					append_int64(&buf, false, at + UNIX_TO_POSTGRES_USECS);
					for (int f = 3; f <= 9; f++)
					{
						Datum		d = SPI_getbinval(tup, desc, f, &isnull);

						append_text_datum(&buf, d, isnull);
					}
					append_field(&buf, false, overridden ? "true" : "false",
								 overridden ? 4 : 5, false);
					if (encoding >= 2)
					{
						Datum		d = SPI_getbinval(tup, desc, 14, &isnull);

						append_text_datum(&buf, d, isnull);
					}
					canonical = utf8 ? buf.data : pg_server_to_any(buf.data, buf.len, PG_UTF8);

					if (pg_cryptohash_init(sha) < 0 ||
						pg_cryptohash_update(sha, prev, sizeof(prev)) < 0 ||
						pg_cryptohash_update(sha, (uint8 *) canonical,
											 canonical == buf.data ? buf.len : strlen(canonical)) < 0 ||
						pg_cryptohash_final(sha, digest, sizeof(digest)) < 0)
						elog(ERROR, "could not compute a SHA-256 hash");
					if (VARSIZE_ANY_EXHDR(hash) != sizeof(digest) ||
						memcmp(VARDATA_ANY(hash), digest, sizeof(digest)) != 0)
					{
						ok = false;
						first_bad = seq;
						detail = psprintf("Entry " INT64_FORMAT " was altered: its content does not match its hash.",
										  seq);
					}
					else if (encoding < 2 && seen_encoding2)
					{
						ok = false;
						first_bad = seq;
						detail = psprintf("Entry " INT64_FORMAT " was altered: it has the encoding of modelgov 0.1.0 but follows an entry of a later one.",
										  seq);
					}
					else if (encoding < 2 &&
							 !encoding1_model_ok(SPI_getbinval(tup, desc, 3, &isnull), model, model_null))
					{
						ok = false;
						first_bad = seq;
						detail = psprintf("Entry " INT64_FORMAT " was altered: its model is not the one the update to 0.2.0 gave the entries of modelgov 0.1.0.",
										  seq);
					}
					if (encoding >= 2)
						seen_encoding2 = true;
				}
			}
			expected_seq = seq + 1;
			/* the next entry must follow this one as stored */
			if (VARSIZE_ANY_EXHDR(hash) == sizeof(prev))
				memcpy(prev, VARDATA_ANY(hash), sizeof(prev));
			else
				memset(prev, 0xff, sizeof(prev));
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	pg_cryptohash_free(sha);

	/* the result outlives SPI's memory */
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		if (ok && !anchored)
		{
			ok = false;
			first_bad = from_seq;
			detail = psprintf("Entry " INT64_FORMAT " of the digest is missing; the log ends before it.",
							  from_seq);
		}
		else if (ok && anchor != NULL)
			detail = psprintf(INT64_FORMAT " entries verified from entry " INT64_FORMAT
							  ", which matches the digest; the entries before it were not read.",
							  entries, from_seq);
		else if (ok)
			detail = psprintf(INT64_FORMAT " entries verified.", entries);
		else
			detail = pstrdup(detail);
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();

	values[0] = BoolGetDatum(ok);
	values[1] = Int64GetDatum(entries);
	values[2] = Int64GetDatum(first_bad);
	nulls[2] = ok;
	values[3] = CStringGetTextDatum(detail);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(mg_verify_audit_log);
Datum
mg_verify_audit_log(PG_FUNCTION_ARGS)
{
	return verify_chain(fcinfo, 1, NULL);
}

/*
 * verify_audit_log_since(digest_seq, digest_hash): the entries from a kept
 * digest on.  Not STRICT: a NULL is an error, never a NULL row that a
 * monitor alerting on ok = false would miss.
 */
PG_FUNCTION_INFO_V1(mg_verify_audit_log_since);
Datum
mg_verify_audit_log_since(PG_FUNCTION_ARGS)
{
	uint8		anchor[PG_SHA256_DIGEST_LENGTH];
	text	   *hex;
	char	   *h;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("digest_seq and digest_hash must not be null"),
				 errhint("Pass the seq and hash that modelgov.audit_digest() returned.")));
	hex = PG_GETARG_TEXT_PP(1);
	h = text_to_cstring(hex);
	if (strlen(h) != 2 * PG_SHA256_DIGEST_LENGTH ||
		strspn(h, "0123456789abcdefABCDEF") != 2 * PG_SHA256_DIGEST_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid audit digest hash \"%.*s%s\"",
						pg_mbcharcliplen(h, strlen(h), 80), h,
						pg_mbstrlen(h) > 80 ? "..." : ""),
				 errdetail("A digest hash is 64 hexadecimal digits, as modelgov.audit_digest() returns it.")));
	for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
	{
		char		byte[3] = {h[2 * i], h[2 * i + 1], '\0'};

		anchor[i] = (uint8) strtol(byte, NULL, 16);
	}
	if (PG_GETARG_INT64(0) < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid audit digest position " INT64_FORMAT, PG_GETARG_INT64(0)),
				 errdetail("Audit entries are numbered from 1.")));
	return verify_chain(fcinfo, PG_GETARG_INT64(0), anchor);
}
