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

-- Retention removes a day in two steps, so that the writer waits only for the first.
--   1. trades_detach_day: DETACH the day's partition and rename it trades_YYYYMMDD_dropping, in one
--      short transaction. It takes the parent ACCESS EXCLUSIVE, so every insert and KPI read waits
--      for it, and it waits for every running one. (DETACH ... CONCURRENTLY would not, but
--      PostgreSQL refuses it on a table with a default partition, which sql/010 needs.) The hold is
--      catalog work only; the caller sets lock_timeout, so a detach behind a long query gives up
--      until the next run rather than queueing the writer behind it. The rename frees the day's
--      name at once: a late trade of the day makes a new partition (trades_add_days skips a name
--      that exists), never lands in the default partition.
--   2. trades_drop_detached: DROP the detached tables. That unlinks the files and clears the day's
--      pages from shared buffers, the slow part (about 110 ms for a day of 1M trades when it was
--      done under the parent's lock), and it no longer touches trades' lock.
-- Today and later are refused: the writer is filling them, whatever the caller's clock says. The
-- advisory lock of trades_add_days keeps a detach and a make of the same day from crossing.
CREATE FUNCTION trades_detach_day(p_day date) RETURNS text
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_name text := 'trades_' || to_char(p_day, 'YYYYMMDD');
  v_rel regclass := to_regclass(quote_ident(v_name));
BEGIN
  IF p_day IS NULL OR p_day >= (now() AT TIME ZONE 'UTC')::date THEN
    RAISE EXCEPTION 'trades_detach_day removes past days only, got %', p_day USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('tickflow.trades_add_days'), hashtext(current_schema()));
  IF v_rel IS NULL OR NOT EXISTS (SELECT FROM pg_inherits WHERE inhrelid = v_rel AND inhparent = 'trades'::regclass) THEN
    RETURN NULL;
  END IF;
  EXECUTE format('ALTER TABLE trades DETACH PARTITION %I', v_name);
  EXECUTE format('ALTER TABLE %I RENAME TO %I', v_name, v_name || '_dropping');
  RETURN v_name || '_dropping';
END
$fn$;

COMMENT ON FUNCTION trades_detach_day(date) IS
  'Detaches the day partition trades_YYYYMMDD of a past UTC day (never today) as trades_YYYYMMDD_dropping';

-- Drops every detached day (step 2), including those a crash left between the steps; returns how
-- many. Only tables of this schema named trades_YYYYMMDD_dropping that are no partition.
CREATE FUNCTION trades_drop_detached() RETURNS integer
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $fn$
DECLARE
  v_name text;
  v_n integer := 0;
BEGIN
  FOR v_name IN
    SELECT c.relname FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
      AND c.relname ~ '^trades_[0-9]{8}_dropping$' AND NOT c.relispartition
  LOOP
    EXECUTE format('DROP TABLE %I', v_name);
    v_n := v_n + 1;
  END LOOP;
  RETURN v_n;
END
$fn$;

COMMENT ON FUNCTION trades_drop_detached() IS
  'Drops the day tables trades_detach_day detached (trades_YYYYMMDD_dropping); the rollups keep their KPIs';
