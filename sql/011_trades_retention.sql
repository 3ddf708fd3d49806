-- Retention of raw trades (issue 13, DESIGN "Storage over time"). Raw trades leave by whole day
-- partitions (sql/010), never by a DELETE: a DELETE of a day writes every row's death to the WAL,
-- fires the rollup triggers (which would recompute, and so lose, the day's rollups) and leaves the
-- space to VACUUM; a DROP unlinks the files at commit and fires no trigger, so the rollups
-- (trades_1s/1m, latency_1s/1m) keep the KPIs of the day whose trades are gone.

-- The day partitions of trades, with what each takes on disk (heap, TOAST and index): what the
-- retention job chooses from. The default partition is not a day, and is never listed.
CREATE FUNCTION trades_day_sizes() RETURNS TABLE (day date, bytes bigint)
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $fn$
  SELECT to_date(substr(c.relname, 8), 'YYYYMMDD'), pg_total_relation_size(c.oid)
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'trades'::regclass AND c.relname ~ '^trades_[0-9]{8}$'
  ORDER BY 1
$fn$;

COMMENT ON FUNCTION trades_day_sizes() IS
  'The day partitions trades_YYYYMMDD of trades and their total size in bytes (heap, TOAST, index)';

-- Drops the partition of one past UTC day; returns false when it has none. Locks: DROP of a
-- partition takes the parent ACCESS EXCLUSIVE, so every insert and KPI read waits for it, and it
-- waits for every running one. (DETACH ... CONCURRENTLY would not, but PostgreSQL refuses it on a
-- table with a default partition, which sql/010 needs.) The hold itself is short (catalog rows, the
-- files unlinked at commit), so what matters is the wait: the caller sets lock_timeout, so a drop
-- behind a long query gives up and is tried again at the next run rather than queueing the writer
-- behind it. Today and later are refused here as well: the writer is filling them, whatever the
-- caller's clock says. The advisory lock of trades_add_days keeps a drop and a make of the same day
-- from crossing.
CREATE FUNCTION trades_drop_day(p_day date) RETURNS boolean
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_name text := 'trades_' || to_char(p_day, 'YYYYMMDD');
  v_rel regclass := to_regclass(quote_ident(v_name));
BEGIN
  IF p_day IS NULL OR p_day >= (now() AT TIME ZONE 'UTC')::date THEN
    RAISE EXCEPTION 'trades_drop_day drops past days only, got %', p_day USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('tickflow.trades_add_days'), hashtext(current_schema()));
  IF v_rel IS NULL OR NOT EXISTS (SELECT FROM pg_inherits WHERE inhrelid = v_rel AND inhparent = 'trades'::regclass) THEN
    RETURN false;
  END IF;
  EXECUTE format('DROP TABLE %I', v_name);
  RETURN true;
END
$fn$;

COMMENT ON FUNCTION trades_drop_day(date) IS
  'Drops the day partition trades_YYYYMMDD of a past UTC day (never today); the rollups keep its KPIs';
