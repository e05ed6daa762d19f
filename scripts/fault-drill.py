#!/usr/bin/env python3
"""Fault drill: independent REST clients doing read-your-writes against a running notely
while a fault is injected, as docs/DEPLOYMENTS.md ("Faults") measures it.

    scripts/run.sh --headless --no-load &            # or the dashboard
    scripts/fault-drill.py kill                      # kill -9 of the serving proxy
    scripts/fault-drill.py hang                      # SIGSTOP of it (notely kills and replaces it)
    scripts/fault-drill.py rollout-kill              # kill -9 of a new version during ROLLOUT_WAIT
    scripts/fault-drill.py rollouts --count 100      # back-to-back deploys
    scripts/fault-drill.py reshard --to 4            # grow the shards under load, with a kill -9
                                                     # of the serving proxy and a rollout in the middle
    scripts/fault-drill.py cross --clients 16        # a deploy held in ROLLOUT_WAIT (start notely with
                                                     # --rollout-wait 600), then a growth 2 → 3 — whose
                                                     # moves cross: 0 → 1 and 1 → 0 — under heavy writes
    scripts/fault-drill.py pg-restart                # pg_ctl restart -m fast of the PostgreSQL cluster
                                                     # scripts/run.sh --postgres started (--pg-dir)
    scripts/fault-drill.py migrate                   # every note SQLite → PostgreSQL, with a kill -9 of the
                                                     # serving proxy, a rollout and a server restart in the
                                                     # middle, then back (scripts/run.sh --postgres)
    scripts/fault-drill.py canary                    # progressive rollouts of a slow, a failing and a wrong
                                                     # version, then a good one (start notely with
                                                     # --rollout-steps 10,50 --mirror-reads 100)

Prints requests, failures, stale reads, requests over 2 s, the longest request, the longest
stretch without a successful answer, and checks that every acknowledged write is still there. Standard library only."""
import argparse, json, os, re, signal, sqlite3, subprocess, threading, time, urllib.error, urllib.request


class Client(threading.Thread):
    def __init__(self, base, index, stats):
        super().__init__(daemon=True)
        self.base, self.index, self.stats, self.stop = base, index, stats, threading.Event()
        self.acknowledged = {}  # note id -> (content, content of a write whose answer never came)

    def call(self, method, path, body=None, expect=200):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data else {})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        except Exception as error:  # connection refused, reset, timeout
            self.stats.failure(f"{method} {path}: {error}")
            return None
        finally:
            self.stats.took(time.monotonic() - started)
        if status != expect:
            self.stats.failure(f"{method} {path}: {status} {text[:200]!r}")
            return None
        self.stats.success()
        return json.loads(text) if text else {}

    def run(self):
        account = self.call("POST", "/accounts", {"name": f"drill-{self.index}"}, 201)
        if account is None:
            return
        notes, step = f"/accounts/{account['id']}/notes", 0
        self.account = account["id"]
        while not self.stop.is_set():
            step += 1
            mine = [note for note, (content, pending) in self.acknowledged.items() if pending is None]
            if mine and step % 2 == 0:
                note = mine[step % len(mine)]
                read = self.call("GET", f"{notes}/{note}")
                if read is not None and read.get("content") != self.acknowledged[note][0]:
                    self.stats.stale(f"read {read.get('content')!r}, expected {self.acknowledged[note][0]!r}")
                content = f"edit {self.index}-{step}"
                self.acknowledged[note] = (self.acknowledged[note][0], content)
                if self.call("PUT", f"{notes}/{note}", {"content": content}) is not None:
                    self.acknowledged[note] = (content, None)
            elif len(mine) >= 5:
                note = mine[0]
                del self.acknowledged[note]
                self.call("DELETE", f"{notes}/{note}", expect=204)
            else:
                created = self.call("POST", notes, {"content": f"note {self.index}-{step}"}, 201)
                if created is not None:
                    self.acknowledged[created["id"]] = (created["content"], None)


class Stats:
    def __init__(self):
        self.lock, self.requests, self.failures, self.stales = threading.Lock(), 0, [], []
        self.last_success, self.longest_gap = time.monotonic(), 0.0
        self.longest_call, self.over_2s = 0.0, 0

    def took(self, seconds):
        with self.lock:
            self.longest_call = max(self.longest_call, seconds)
            self.over_2s += seconds > 2

    def success(self):
        with self.lock:
            now = time.monotonic()
            self.requests += 1
            self.longest_gap = max(self.longest_gap, now - self.last_success)
            self.last_success = now

    def failure(self, text):
        with self.lock:
            self.requests += 1
            self.failures.append(text)

    def stale(self, text):
        with self.lock:
            self.stales.append(text)


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=15) as response:
        return json.loads(response.read())


def post(base, path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(base + path, data=data, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read() or b"{}")


def seed(base, accounts, notes):
    """Accounts with many notes each (written by one thread per account), so moves take many
    steps. Answers {account id: set of note ids}."""
    seeded = {}

    def fill(index):
        account = post(base, "/accounts", {"name": f"drill-big-{index}"})["id"]
        seeded[account] = {post(base, f"/accounts/{account}/notes", {"content": f"seed {n}"})["id"] for n in range(notes)}

    threads = [threading.Thread(target=fill, args=(index,)) for index in range(accounts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seeded


def shard_files(data_dir):
    """Note ids per shard file there is (retired shards have none), read straight from SQLite
    (upper case, as stored)."""
    shards = []
    for name in sorted(os.listdir(data_dir)):
        if re.fullmatch(r"shard-\d+\.sqlite", name):
            with sqlite3.connect(f"file:{data_dir}/{name}?mode=ro", uri=True) as db:
                shards.append({row[0] for row in db.execute("SELECT id FROM note")})
    return shards


def reshard(args, deployment):
    """Grows the shards under load, with a kill -9 of the serving proxy and a rollout while
    accounts move; checks every seeded note is served, and none is on two shards."""
    placement = lambda: get(args.base, "/stats")["placement"]
    started = time.monotonic()
    grown = post(args.base, "/shards", {"count": args.to})
    pid = deployment()["current"]["pid"]
    os.kill(pid, signal.SIGKILL)
    print(f"reshard: {grown['from']} → {grown['to']}; killed the serving proxy (pid {pid}) "
          f"with {placement()['resharding']} still to go")
    post(args.base, "/deploy")
    print(f"reshard: deploying v{deployment()['targetVersion']} while accounts move")
    wait_for(lambda: placement()["resharding"] is None, 600)
    print(f"reshard: done after {time.monotonic() - started:.1f} s; deployment {deployment()['status']}, "
          f"restarts {deployment()['restarts']}; notes per shard {placement()['notesPerShard']}")
    wait_for(lambda: deployment()["status"] == "READY", 600)


def cross(args, deployment):
    """The run that deadlocked before the one lock order (issue 20): a deploy held in
    ROLLOUT_WAIT, then a growth 2 → 3, whose moves go both ways, under heavy writes."""
    placement = lambda: get(args.base, "/stats")["placement"]
    post(args.base, "/deploy")
    if not wait_for(lambda: deployment()["status"] == "ROLLOUT_WAIT", 60):
        raise SystemExit("cross: the deploy never reached ROLLOUT_WAIT")
    count = placement()["shardCount"] + 1
    started = time.monotonic()
    grown = post(args.base, "/shards", {"count": count})
    print(f"cross: v{deployment()['current']['id']} and v{deployment()['previous']['id']} serve; "
          f"growing {grown['from']} → {grown['to']}, {placement()['resharding']['accountsLeft']} accounts to move")
    finished = wait_for(lambda: placement()["resharding"] is None, args.growth_timeout)
    print(f"cross: growth {'done' if finished else 'NOT done'} after {time.monotonic() - started:.1f} s; "
          f"deployment {deployment()['status']}; notes per shard {placement()['notesPerShard']}")
    return finished


def pg_restart(args):
    """A fast restart of the PostgreSQL cluster under load (open transactions roll back, every
    connection drops): calls wait for the server within their deadline and are sent again."""
    placement = lambda: get(args.base, "/stats")["placement"]
    if "postgres" not in placement().get("engines", {}).values():
        raise SystemExit("pg-restart: no shard is on PostgreSQL; start notely with --postgres --engine postgres")
    started = time.monotonic()
    subprocess.run(["scripts/postgres.sh", "restart", args.pg_dir], check=True)
    print(f"pg-restart: {args.pg_dir} restarted in {(time.monotonic() - started) * 1000:.0f} ms; "
          f"server up: {wait_for(lambda: (placement().get('postgres') or {}).get('up'), 30)}")


def migrate(args, deployment):
    """Every note to PostgreSQL under load — a kill -9 of the serving proxy, a rollout and (with
    --pg-dir) a server restart while notes move — then every note back to SQLite."""
    placement = lambda: get(args.base, "/stats")["placement"]
    for engine in ("postgres", "sqlite"):
        started = time.monotonic()
        answer = post(args.base, "/migrate", {"engine": engine})
        print(f"migrate: {answer['from']} → {answer['to']}: shards {answer['draining']} → {answer['adding']}")
        if engine == "postgres":
            pid = deployment()["current"]["pid"]
            os.kill(pid, signal.SIGKILL)
            post(args.base, "/deploy")
            print(f"migrate: killed the serving proxy (pid {pid}) and deploying v{deployment()['targetVersion']} "
                  f"with {placement()['migration']} to go")
            if os.path.isdir(args.pg_dir):
                subprocess.run(["scripts/postgres.sh", "restart", args.pg_dir], check=True, stdout=subprocess.DEVNULL)
                print(f"migrate: restarted the PostgreSQL cluster in {args.pg_dir}")
        rates = []
        def done():
            now = placement()
            if now["migration"] and now["migration"]["notesPerSecond"]:
                rates.append(now["migration"]["notesPerSecond"])
            return now["resharding"] is None
        if not wait_for(done, 600):
            raise SystemExit(f"migrate: the migration to {engine} did not finish")
        now = placement()
        shards = ", ".join(f"{name}: {shard['engine']} {shard['state']}" for name, shard in sorted(now["shards"].items()))
        print(f"migrate: every note on {engine} after {time.monotonic() - started:.1f} s "
              f"(peak {max(rates, default=0):.0f} notes/s); verified {now['verified']}, copied again {now['recopied']}; "
              f"shards {shards}")
    wait_for(lambda: deployment()["status"] == "READY", 600)


def canary(args, deployment):
    """Three bad versions and a good one, each in a progressive rollout: a bad one is made bad
    (POST /chaos) as its first step begins and must be rolled back in that step by the check
    that fits it; the good one must earn every step. Answers whether all did."""
    expected = {"slow": "latency", "errors": "errors", "wrong": "answers"}
    rollout = lambda: deployment().get("rollout") or {}
    everything_as_expected = True
    for fault in ("slow", "errors", "wrong", None):
        target = post(args.base, "/deploy")["targetVersion"]
        if not wait_for(lambda: deployment()["current"]["id"] == target and rollout().get("step") == 0, 60):
            raise SystemExit("canary: the deploy did not reach its first step; start notely with --rollout-steps")
        started = time.monotonic()
        if fault:
            post(args.base, "/chaos", {"fault": fault})
        wait_for(lambda: deployment()["status"] == "READY", 600)
        seconds = time.monotonic() - started
        now = deployment()
        steps, verdicts = now["rollout"]["steps"], now["rollout"]["verdicts"]
        if fault:
            caught = next((verdict for verdict in verdicts if not verdict["passed"]), None)
            if caught is None:
                everything_as_expected = False
                print(f"canary {fault}: NOT caught; v{target} was promoted through {steps}"
                      + (" (wrong answers are seen only by mirrored reads: --mirror-reads)" if fault == "wrong" else ""))
                continue
            as_expected = now["rollout"]["rolledBack"] and caught["failedCheck"] == expected[fault] and len(verdicts) == 1
            everything_as_expected &= as_expected
            print(f"canary {fault}: v{target} caught in step {caught['percent']}% (step {len(verdicts)} of {len(steps)}) "
                  f"by the {caught['failedCheck']} check, rolled back {seconds:.1f} s after it went bad; v{now['current']['id']} serves"
                  + ("" if as_expected else "  <-- NOT AS EXPECTED"))
            print(f"  {caught['summary']}")
        else:
            promoted = now["rollout"]["promoted"] and now["current"]["id"] == target
            everything_as_expected &= promoted
            print(f"canary good: v{target} {'reached 100%' if promoted else 'did NOT reach 100%'} in {seconds:.1f} s "
                  f"through {' → '.join(f'{step}%' for step in steps)}")
            for verdict in verdicts:
                print(f"  {verdict['summary']}")
    return everything_as_expected


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("fault", choices=["kill", "hang", "rollout-kill", "rollouts", "reshard", "cross", "pg-restart", "migrate",
                                          "canary", "none"])
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--count", type=int, default=1, help="faults (or deploys) in a row")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of traffic after each fault")
    parser.add_argument("--to", type=int, default=4, help="reshard: the shard count to grow to")
    parser.add_argument("--seed", type=int, default=300, help="reshard, cross, migrate: notes in each big account")
    parser.add_argument("--big-accounts", type=int, default=None,
                        help="reshard, cross, migrate: accounts seeded with notes (8, or 20 for cross)")
    parser.add_argument("--growth-timeout", type=float, default=240, help="cross: seconds the growth may take")
    parser.add_argument("--data-dir", default=".notely", help="reshard: notely's data dir, to check the shard files")
    parser.add_argument("--pg-dir", default=".notely/postgres", help="pg-restart, migrate: the cluster scripts/postgres.sh started")
    args = parser.parse_args()

    big = args.big_accounts or (20 if args.fault == "cross" else 8)
    seeded = seed(args.base, big, args.seed) if args.fault in ("reshard", "cross", "migrate") else {}

    stats = Stats()
    clients = [Client(args.base, index, stats) for index in range(args.clients)]
    for client in clients:
        client.start()
    time.sleep(1)
    deployment = lambda: get(args.base, "/stats")["deployment"]
    unfinished = False
    for _ in range(args.count):
        if args.fault in ("kill", "hang"):
            pid, restarts = deployment()["current"]["pid"], deployment()["restarts"]
            os.kill(pid, signal.SIGKILL if args.fault == "kill" else signal.SIGSTOP)
            started = time.monotonic()
            wait_for(lambda: deployment()["restarts"] > restarts)
            print(f"{args.fault}: pid {pid}; replaced after {(time.monotonic() - started) * 1000:.0f} ms")
            if args.fault == "hang":
                try:
                    os.kill(pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
        elif args.fault == "rollout-kill":
            post(args.base, "/deploy")
            wait_for(lambda: deployment()["status"] == "ROLLOUT_WAIT")
            new = deployment()["current"]
            os.kill(new["pid"], signal.SIGKILL)
            wait_for(lambda: deployment()["status"] == "READY")
            print(f"rollout-kill: v{new['id']} pid {new['pid']}; now {deployment()['current']['id']}: {deployment()['lastError']}")
        elif args.fault == "reshard":
            reshard(args, deployment)
        elif args.fault == "cross":
            unfinished = not cross(args, deployment)
        elif args.fault == "pg-restart":
            pg_restart(args)
        elif args.fault == "migrate":
            migrate(args, deployment)
        elif args.fault == "canary":
            unfinished = not canary(args, deployment)
        elif args.fault == "rollouts":
            post(args.base, "/deploy")
            wait_for(lambda: deployment()["status"] != "READY", 10)
            wait_for(lambda: deployment()["status"] == "READY", 600)
        time.sleep(args.settle)
    for client in clients:
        client.stop.set()
    for client in clients:
        client.join(timeout=20)
    lost = 0
    for client in clients:
        for note, (content, pending) in client.acknowledged.items():
            read = get(args.base, f"/accounts/{client.account}/notes/{note}")
            if read.get("content") not in (content, pending):
                lost += 1
    for account, ids in seeded.items():
        served = {note["id"] for note in get(args.base, f"/accounts/{account}/notes")}
        lost += len(ids - served)
    if seeded:
        shards = shard_files(args.data_dir)
        on_two = sum(len(a & b) for i, a in enumerate(shards) for b in shards[i + 1:])
        print(f"shard files: {[len(s) for s in shards]} notes (SQLite shards only); on two shards: {on_two}; "
              f"seeded notes served: {sum(len(ids) for ids in seeded.values()) - lost}")
        lost += on_two
    print(f"{args.fault} ×{args.count}: {stats.requests} requests, {len(stats.failures)} failed, {len(stats.stales)} stale, "
          f"{stats.over_2s} over 2 s, longest call {stats.longest_call * 1000:.0f} ms, "
          f"longest gap {stats.longest_gap * 1000:.0f} ms, acknowledged notes checked: "
          f"{sum(len(c.acknowledged) for c in clients)}, lost {lost}")
    for failure in stats.failures[:5]:
        print("  failed:", failure)
    for stale in stats.stales[:5]:
        print("  stale:", stale)
    raise SystemExit(1 if stats.failures or stats.stales or lost or unfinished else 0)


if __name__ == "__main__":
    main()
