-- A list (20 %): one statement.
SELECT id, creator, created_at_ms, updated_at_ms, content FROM notely_pgbench.note WHERE creator = 'A' ORDER BY created_at_ms, id;
