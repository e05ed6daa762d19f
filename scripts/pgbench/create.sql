-- A create (15 %): the write transaction's lock and deadline, the retry check (note, then
-- tombstone), the insert.
\set n random(21, 40)
BEGIN;
SELECT set_config('lock_timeout', '7500', true), set_config('statement_timeout', '7500', true);
SELECT one FROM notely_pgbench.writer FOR UPDATE;
SELECT created_at_ms FROM notely_pgbench.note WHERE creator = 'A' AND id = lpad(:n::text, 36, '0');
SELECT created_at_ms FROM notely_pgbench.tombstone WHERE creator = 'A' AND id = lpad(:n::text, 36, '0');
INSERT INTO notely_pgbench.note (id, creator, created_at_ms, updated_at_ms, content) VALUES (lpad(:n::text, 36, '0'), 'A', :n, :n, '\x6e6f7465')
    ON CONFLICT (creator, id) DO UPDATE SET created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms, content = excluded.content;
COMMIT;
