#!/usr/bin/env bash
# The ceiling to compare `notely bench --engine postgres` with: pgbench running the op mix's
# own statements (scripts/pgbench/*.sql, weighted as NoteWorkload: reads 50 %, lists 20 %,
# creates 15 %, updates 10 %, deletes 5 %) from one client, with the extended protocol the
# proxy uses (a parse per statement, no prepared statements).
#
#   scripts/pgbench-mix.sh URL [seconds] [clients]
set -euo pipefail
cd "$(dirname "$0")/pgbench"
url=${1:?usage: scripts/pgbench-mix.sh URL [seconds] [clients]}
seconds=${2:-10}
clients=${3:-1}
bin=$(pg_config --bindir)
"$bin/psql" -q "$url" -f setup.sql
"$bin/pgbench" -n -M extended -c "$clients" -j "$clients" -T "$seconds" \
    -f get.sql@50 -f list.sql@20 -f create.sql@15 -f update.sql@10 -f delete.sql@5 "$url" 2>&1 |
    grep -E '^(number of transactions actually processed|latency average|tps)'
"$bin/psql" -q "$url" -c "DROP SCHEMA notely_pgbench CASCADE"
