-- An update (10 %): lock and deadline, then the strictly-newer update.
\set n random(1, 20)
BEGIN;
SELECT set_config('lock_timeout', '7500', true), set_config('statement_timeout', '7500', true);
SELECT one FROM notely_pgbench.writer FOR UPDATE;
UPDATE notely_pgbench.note SET content = '\x656469746564', updated_at_ms = updated_at_ms + 1
    WHERE creator = 'A' AND id = lpad(:n::text, 36, '0') AND updated_at_ms < updated_at_ms + 1;
COMMIT;
