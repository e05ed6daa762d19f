-- The tables of one PostgreSQL shard, as Notely makes them (PostgresSchema.creation), and
-- 20 notes of one account: what the op mix's statements run on. Creates and deletes pick ids
-- 21…40, so the account keeps 20–40 notes, about the op mix's 5–20 per client.
DROP SCHEMA IF EXISTS notely_pgbench CASCADE;
CREATE SCHEMA notely_pgbench;
CREATE TABLE notely_pgbench.note (
    creator text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    created_at_ms bigint NOT NULL, updated_at_ms bigint NOT NULL, content bytea NOT NULL,
    PRIMARY KEY (creator, id));
CREATE INDEX note_list_order ON notely_pgbench.note (creator, created_at_ms, id);
CREATE TABLE notely_pgbench.tombstone (
    creator text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    created_at_ms bigint NOT NULL, deleted_at_ms bigint NOT NULL,
    PRIMARY KEY (creator, id));
CREATE INDEX tombstone_age ON notely_pgbench.tombstone (deleted_at_ms);
CREATE TABLE notely_pgbench.writer (one integer PRIMARY KEY);
INSERT INTO notely_pgbench.writer VALUES (1);
INSERT INTO notely_pgbench.note
    SELECT 'A', lpad(n::text, 36, '0'), n, n, convert_to('seed ' || n, 'UTF8') FROM generate_series(1, 20) AS n;
