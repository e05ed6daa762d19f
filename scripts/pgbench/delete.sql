-- A delete (5 %): lock and deadline, the note's key, the delete, its tombstone, the pruning.
\set n random(21, 40)
BEGIN;
SELECT set_config('lock_timeout', '7500', true), set_config('statement_timeout', '7500', true);
SELECT one FROM notely_pgbench.writer FOR UPDATE;
SELECT created_at_ms FROM notely_pgbench.note WHERE creator = 'A' AND id = lpad(:n::text, 36, '0');
DELETE FROM notely_pgbench.note WHERE creator = 'A' AND id = lpad(:n::text, 36, '0');
INSERT INTO notely_pgbench.tombstone (creator, id, created_at_ms, deleted_at_ms) VALUES ('A', lpad(:n::text, 36, '0'), :n, :n)
    ON CONFLICT (creator, id) DO UPDATE SET created_at_ms = excluded.created_at_ms, deleted_at_ms = excluded.deleted_at_ms;
DELETE FROM notely_pgbench.tombstone WHERE deleted_at_ms < 0;
COMMIT;
