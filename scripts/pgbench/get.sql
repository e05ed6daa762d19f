-- A read (50 % of the mix): one statement.
\set n random(1, 20)
SELECT id, creator, created_at_ms, updated_at_ms, content FROM notely_pgbench.note WHERE creator = 'A' AND id = lpad(:n::text, 36, '0');
