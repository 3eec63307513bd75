/*-------------------------------------------------------------------------
 *
 * subscriber.c
 *		A database that receives the governance record by logical
 *		replication: it scores, and nothing but the apply worker writes
 *		the record there.
 *
 * A database is a subscriber of the record when one of its subscriptions
 * (pg_subscription, pg_subscription_rel) carries a table of the
 * extension.  There:
 *
 *	- every governance call is refused (25006), naming the publisher: the
 *	  record is governed on the primary (mg_refuse_on_subscriber, called by
 *	  the trampoline of src/governance.c);
 *	- a guard trigger on every table of the extension refuses every change
 *	  but the apply worker's, whoever makes it (mg_subscriber_guard);
 *	- the apply worker's changes of environments, versions and models send
 *	  the relcache invalidation that the governance functions send on the
 *	  primary, so that scoring sessions switch at their next statement
 *	  (mg_replica_changed, an ENABLE REPLICA trigger).
 *
 * The catalogs are read directly: pg_subscription's connection string is
 * not readable by PUBLIC, and only its host, port and database name are
 * ever shown.  Whether the database is a subscriber is looked up once per
 * transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_subscription.h"
#include "catalog/pg_subscription_rel.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "commands/extension.h"
#include "mb/pg_wchar.h"
#include "replication/logicalworker.h"
#include "replication/worker_internal.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "modelgov.h"

/* the answer for one transaction */
static LocalTransactionId cached_lxid = InvalidLocalTransactionId;
static bool cached_subscriber = false;
static char cached_subname[NAMEDATALEN];
static char cached_publisher[1024];
/* the subscriptions that carry the record, of this transaction */
#define MAX_RECORD_SUBS 16
static Oid	cached_subs[MAX_RECORD_SUBS];
static int	cached_nsubs = 0;

/*
 * host, hostaddr, port and dbname of a connection string (key=value pairs,
 * values optionally in single quotes with backslash escapes); a password or
 * any other key is never copied.
 */
static void
describe_conninfo(const char *conninfo, char *out, size_t outlen)
{
	StringInfoData buf;
	const char *c = conninfo;

	initStringInfo(&buf);
	while (*c)
	{
		char		key[64];
		size_t		klen = 0;
		StringInfoData val;

		while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
			c++;
		if (!*c)
			break;
		while (*c && *c != '=' && !isspace((unsigned char) *c) && klen < sizeof(key) - 1)
			key[klen++] = *c++;
		key[klen] = '\0';
		while (isspace((unsigned char) *c))
			c++;
		if (*c != '=')
			break;				/* not key=value: stop, show what we have */
		c++;
		while (isspace((unsigned char) *c))
			c++;
		initStringInfo(&val);
		if (*c == '\'')
		{
			c++;
			while (*c && *c != '\'')
			{
				if (*c == '\\' && c[1])
					c++;
				appendStringInfoChar(&val, *c++);
			}
			if (*c == '\'')
				c++;
		}
		else
			while (*c && !isspace((unsigned char) *c))
			{
				/* as libpq reads it: a backslash escapes the next character */
				if (*c == '\\' && c[1])
					c++;
				appendStringInfoChar(&val, *c++);
			}

		/*
		 * Only where the publisher is; a dbname that is a connection string
		 * or a URI of its own (libpq expands it) could hold a password.
		 */
		if ((strcmp(key, "host") == 0 || strcmp(key, "hostaddr") == 0 ||
			 strcmp(key, "port") == 0 ||
			 (strcmp(key, "dbname") == 0 && strchr(val.data, '=') == NULL &&
			  strstr(val.data, "://") == NULL)))
			appendStringInfo(&buf, "%s%s=%s", buf.len > 0 ? " " : "", key, val.data);
		pfree(val.data);
	}
	if (buf.len == 0)
		strlcpy(out, "the publisher of its connection string", outlen);
	else
	{
		/* cut on a character boundary */
		int			len = pg_mbcliplen(buf.data, buf.len, (int) outlen - 1);

		memcpy(out, buf.data, len);
		out[len] = '\0';
	}
	pfree(buf.data);
}

/*
 * Whether this database subscribes to a table of the extension, and if so
 * through which subscription and from where; once per transaction.
 */
static bool
subscriber_of_record(void)
{
	Oid			nsp;
	Relation	subrel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	bool		found = false;

	if (cached_lxid == MyProc->lxid && cached_lxid != InvalidLocalTransactionId)
		return cached_subscriber;

	cached_nsubs = 0;
	nsp = mg_extension_namespace();
	if (OidIsValid(nsp))
	{
		subrel = table_open(SubscriptionRelationId, AccessShareLock);
		ScanKeyInit(&key, Anum_pg_subscription_subdbid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(MyDatabaseId));
		scan = systable_beginscan(subrel, InvalidOid, false, NULL, 1, &key);
		while (HeapTupleIsValid(tup = systable_getnext(scan)))
		{
			Form_pg_subscription sub = (Form_pg_subscription) GETSTRUCT(tup);
			Relation	relrel = table_open(SubscriptionRelRelationId, AccessShareLock);
			SysScanDesc rscan;
			ScanKeyData rkey;
			HeapTuple	rtup;

			ScanKeyInit(&rkey, Anum_pg_subscription_rel_srsubid, BTEqualStrategyNumber, F_OIDEQ,
						ObjectIdGetDatum(sub->oid));
			rscan = systable_beginscan(relrel, InvalidOid, false, NULL, 1, &rkey);
			while (HeapTupleIsValid(rtup = systable_getnext(rscan)))
			{
				Form_pg_subscription_rel sr = (Form_pg_subscription_rel) GETSTRUCT(rtup);

				if (get_rel_namespace(sr->srrelid) == nsp)
				{
					bool		isnull;
					Datum		conninfo = heap_getattr(tup, Anum_pg_subscription_subconninfo,
														RelationGetDescr(subrel), &isnull);

					if (cached_nsubs < MAX_RECORD_SUBS)
						cached_subs[cached_nsubs++] = sub->oid;
					if (found)
						break;	/* the first one names the publisher */
					found = true;
					strlcpy(cached_subname, NameStr(sub->subname), sizeof(cached_subname));
					if (isnull)
						strlcpy(cached_publisher, "the publisher of its connection string",
								sizeof(cached_publisher));
					else
					{
						char	   *ci = TextDatumGetCString(conninfo);

						describe_conninfo(ci, cached_publisher, sizeof(cached_publisher));
						pfree(ci);
					}
					break;
				}
			}
			systable_endscan(rscan);
			table_close(relrel, AccessShareLock);
		}
		systable_endscan(scan);
		table_close(subrel, AccessShareLock);
	}
	cached_subscriber = found;
	cached_lxid = MyProc->lxid;
	return found;
}

/*
 * Whether this process applies the changes of a subscription that carries
 * the record (its apply worker, or a table synchronization worker of its
 * initial copy): any other logical replication worker, or a trigger it
 * runs for another subscription, is no different from a session.
 */
static bool
apply_worker_of_record(void)
{
	if (!IsLogicalWorker() || MySubscription == NULL || !subscriber_of_record())
		return false;
	for (int i = 0; i < cached_nsubs; i++)
		if (cached_subs[i] == MySubscription->oid)
			return true;
	return false;
}

/*
 * Refuse a governance call (of function) on a subscriber of the record.
 * Called by the trampoline of every governance function.
 */
void
mg_refuse_on_subscriber(Oid function)
{
	char	   *name;

	if (!subscriber_of_record())
		return;
	name = get_func_name(function);
	ereport(ERROR,
			(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
			 errmsg("modelgov.%s() cannot run on a subscriber of the governance record", name ? name : "?"),
			 errdetail("This database receives modelgov's tables from %s through subscription \"%s\".",
					   cached_publisher, cached_subname),
			 errhint("Govern on the primary (%s); this database scores with what it receives.",
					 cached_publisher)));
}

/*
 * modelgov_internal.subscriber_guard(): BEFORE INSERT, UPDATE or DELETE of
 * every row, and BEFORE TRUNCATE, of every table of the extension (ENABLE
 * ALWAYS).  On a subscriber of the record only the apply worker writes.
 */
PG_FUNCTION_INFO_V1(mg_subscriber_guard);
Datum
mg_subscriber_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "subscriber_guard: not called as a trigger");
	/* an extension's own script (ALTER EXTENSION UPDATE) may write */
	if (!creating_extension && !apply_worker_of_record() && subscriber_of_record())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot change table %s on a subscriber of the governance record",
						RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("This database receives modelgov's tables from %s through subscription \"%s\"; "
						   "only the subscription's apply worker changes them.",
						   cached_publisher, cached_subname),
				 errhint("Govern on the primary (%s).", cached_publisher)));
	if (TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_newtuple);
	return PointerGetDatum(trigdata->tg_trigtuple);
}

/*
 * modelgov_internal.replica_changed(): AFTER INSERT, UPDATE or DELETE of
 * every row of environments, versions and models, ENABLE REPLICA: fires in
 * the apply worker (and under session_replication_role = replica), where no
 * governance function runs to announce the change.  Queues the relcache
 * invalidation of modelgov.environments that the scoring caches listen to;
 * it is sent when the applied transaction commits.
 */
PG_FUNCTION_INFO_V1(mg_replica_changed);
Datum
mg_replica_changed(PG_FUNCTION_ARGS)
{
	Oid			relid = mg_environments_relid();

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "replica_changed: not called as a trigger");
	if (OidIsValid(relid))
		CacheInvalidateRelcacheByRelid(relid);
	return PointerGetDatum(NULL);
}

/*
 * modelgov_internal.replicating(): whether this process applies the changes
 * of a subscription that carries the record.
 */
PG_FUNCTION_INFO_V1(mg_replicating);
Datum
mg_replicating(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(apply_worker_of_record());
}
