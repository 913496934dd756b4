#!/usr/bin/env python3
"""migrate-plan-ref.py REFDIR: the reference's live-migration arithmetic
over a grid of inputs, one line per case, for tests/test-migrate-plan.c.

Nothing here computes a value of its own. Every number comes from the
reference's functions and statements, taken out of their files with ast
and run as they are, with what they import stubbed:
  REFDIR/nova-libvirt-driver.py      _live_migration_data_gb,
                                     _migration_downtime_steps, and three
                                     statements of _live_migration_monitor
                                     (the low-water mark, the completion
                                     timeout, the memory-remaining figure),
                                     and the monitor as a whole with its
                                     helpers (_get_migration_flags,
                                     _is_post_copy_enabled,
                                     _clear_empty_migration)
  REFDIR/newton/libvirt-migration.py should_abort, should_switch_to_postcopy,
                                     update_downtime (and every function
                                     of the file for the monitor)
  REFDIR/newton/libvirt-utils.py     is_valid_hostname
  REFDIR/newton/conf-libvirt.py      LIVE_MIGRATION_DOWNTIME*_MIN
Times go in as fractions.Fraction of nanoseconds, so the reference's
comparisons of seconds are made exactly, as hvd makes them on the hv clock.

Output lines, fields separated by one space, inputs then "=" then results:
  gb MEM_MB N SIZE... = GB_HEX             (SIZE < 0: the stat fails)
  steps D S DELAY GB_HEX = N SECS MS ...   (N pairs)
  due D S DELAY GB_HEX ELAPSED_NS CUR = NEW SET   (-1: None / not called)
  ctimeout CFG GB_HEX = SECS
  mark HAVE MARK PROGRESS_NS REMAINING NOW_NS = HAVE MARK PROGRESS_NS
  abort NOW_NS PROGRESS_NS PTIMEOUT ELAPSED_NS CTIMEOUT POSTCOPY = 0|1
  postcopy ITERATION REMAINING PREVIOUS POSTCOPY = 0|1
  pct A B WHOLE = P                        (Python's round((A-B)*100/WHOLE))
  remain MEM_REMAINING MEM_TOTAL = P
  host UTF8_HEX = 0|1
  mon MEM_MB N SIZE... D S DELAY CTIMEOUT PTIMEOUT POSTCOPY_OK NPOLLS
      (REMAINING ITERATION SWITCH_FAILS)... = (ABORT SWITCH DOWNTIME)...
      _live_migration_monitor itself, run on a guest whose job info
      answers the NPOLLS polls (running) and then "completed", every
      0.5 s of a stub clock: per poll, whether it aborted the job, tried
      the post-copy switch (SWITCH_FAILS: the switch then fails), and the
      downtime it set (-1: none)
Floats are float.hex(). Exit 2 with a message if a reference file or
function is missing.
"""

import ast
import fractions
import os
import random
import sys
import types
from collections import deque

NS = 10 ** 9


def die(msg):
    sys.stderr.write("migrate-plan-ref.py: %s\n" % msg)
    sys.exit(2)


def parse(path):
    try:
        with open(path, encoding="utf-8") as f:
            return ast.parse(f.read(), filename=path)
    except OSError as e:
        die("cannot read the reference %s: %s" % (path, e.strerror))


def the_one(nodes, what, path):
    if len(nodes) != 1:
        die("%s: expected one %s, found %d" % (path, what, len(nodes)))
    return nodes[0]


def run_nodes(nodes, path, ns):
    code = compile(ast.Module(body=list(nodes), type_ignores=[]), path, "exec")
    exec(code, ns)
    return ns


def function(path, tree, name, ns):
    """The reference's function NAME, defined in namespace NS."""
    fn = the_one([n for n in ast.walk(tree)
                  if isinstance(n, ast.FunctionDef) and n.name == name],
                 "def " + name, path)
    fn.decorator_list = []  # @staticmethod: called here as a plain function
    return run_nodes([fn], path, ns)[name]


def statements(path, fn, pick, what):
    """The statement of FN for which PICK(statement, body, index) gives a
    list of statements to run."""
    found = []
    for node in ast.walk(fn):
        for field in ("body", "orelse"):
            body = getattr(node, field, None)
            if not isinstance(body, list):
                continue
            for i, st in enumerate(body):
                got = pick(st, body, i)
                if got:
                    found.append(got)
    return the_one(found, what, path)


# ---- stubs of what the reference imports ----

class _Log:
    def __getattr__(self, name):
        return lambda *a, **k: None


def _ident(s):
    return s


class _LibvirtError(Exception):
    pass


class _Guest:
    """A guest whose max-downtime setting is recorded."""
    def __init__(self):
        self.set_to = -1

    def migrate_configure_max_downtime(self, ms):
        self.set_to = ms


class _Clock:
    """time.time() and time.sleep() on exact virtual seconds."""
    def __init__(self, start):
        self.t = fractions.Fraction(start)

    def time(self):
        return self.t

    def sleep(self, secs):
        self.t += fractions.Fraction(secs)


_JOB = dict(VIR_DOMAIN_JOB_NONE=0, VIR_DOMAIN_JOB_BOUNDED=1,
            VIR_DOMAIN_JOB_UNBOUNDED=2, VIR_DOMAIN_JOB_COMPLETED=3,
            VIR_DOMAIN_JOB_FAILED=4, VIR_DOMAIN_JOB_CANCELLED=5)


class _MonitoredGuest:
    """A guest migrating through the given polls, then completed; what the
    monitor does on each poll is recorded."""
    def __init__(self, polls):
        self.polls = polls
        self.i = -1
        self.rec = []

    def get_job_info(self):
        self.i += 1
        if self.i >= len(self.polls):
            return types.SimpleNamespace(type=_JOB["VIR_DOMAIN_JOB_COMPLETED"])
        rem, it, _ = self.polls[self.i]
        self.rec.append([0, 0, -1])
        return types.SimpleNamespace(
            type=_JOB["VIR_DOMAIN_JOB_UNBOUNDED"], data_remaining=rem,
            memory_iteration=it, memory_total=0, memory_remaining=0,
            memory_processed=0, disk_total=0, disk_processed=0,
            disk_remaining=0)

    def abort_job(self):
        self.rec[self.i][0] = 1

    def migrate_start_postcopy(self):
        self.rec[self.i][1] = 1
        if self.polls[self.i][2]:
            raise _LibvirtError("post-copy refused")

    def migrate_configure_max_downtime(self, ms):
        self.rec[self.i][2] = ms


class _Os:
    """os.stat over "paths" that are sizes: a negative one fails."""
    @staticmethod
    def stat(path):
        if path < 0:
            raise OSError(2, "No such file or directory")
        return types.SimpleNamespace(st_size=path)


def main():
    if len(sys.argv) != 2:
        die("usage: migrate-plan-ref.py REFDIR")
    ref = sys.argv[1]
    drv_path = os.path.join(ref, "nova-libvirt-driver.py")
    mig_path = os.path.join(ref, "newton", "libvirt-migration.py")
    utl_path = os.path.join(ref, "newton", "libvirt-utils.py")
    cnf_path = os.path.join(ref, "newton", "conf-libvirt.py")
    drv_tree = parse(drv_path)
    mig_tree = parse(mig_path)
    utl_tree = parse(utl_path)
    cnf_tree = parse(cnf_path)

    conf = types.SimpleNamespace()
    consts = [n for n in cnf_tree.body if isinstance(n, ast.Assign) and
              any(isinstance(t, ast.Name) and
                  t.id.startswith("LIVE_MIGRATION_DOWNTIME")
                  for t in n.targets)]
    if len(consts) != 3:
        die("%s: expected the three LIVE_MIGRATION_DOWNTIME*_MIN" % cnf_path)
    vars(conf).update({k: v for k, v in
                       run_nodes(consts, cnf_path, {}).items()
                       if not k.startswith("__")})

    CONF = types.SimpleNamespace(libvirt=types.SimpleNamespace())
    units = types.SimpleNamespace(Mi=1024 ** 2, Gi=1024 ** 3)  # oslo_utils
    drv_ns = {"CONF": CONF, "LOG": _Log(), "_LW": _ident, "_LI": _ident,
              "units": units, "os": _Os,
              "nova": types.SimpleNamespace(
                  conf=types.SimpleNamespace(libvirt=conf))}
    data_gb_fn = function(drv_path, drv_tree, "_live_migration_data_gb",
                          dict(drv_ns))
    steps_fn = function(drv_path, drv_tree, "_migration_downtime_steps",
                        dict(drv_ns))
    monitor = the_one([n for n in ast.walk(drv_tree)
                       if isinstance(n, ast.FunctionDef) and
                       n.name == "_live_migration_monitor"],
                      "def _live_migration_monitor", drv_path)
    mark_st = statements(
        drv_path, monitor,
        lambda st, body, i: [st] if isinstance(st, ast.If) and
        "progress_watermark is None" in ast.unparse(st.test) else None,
        "low-water mark statement")
    ctimeout_st = statements(
        drv_path, monitor,
        lambda st, body, i: [st] if isinstance(st, ast.Assign) and
        ast.unparse(st.targets[0]) == "completion_timeout" else None,
        "completion_timeout statement")
    remain_st = statements(
        drv_path, monitor,
        lambda st, body, i: body[i - 1:i + 1] if isinstance(st, ast.If) and
        ast.unparse(st.test) == "info.memory_total != 0" else None,
        "memory remaining statements")

    mig_ns = {"LOG": _Log(), "_LI": _ident, "_LW": _ident,
              "libvirt": types.SimpleNamespace(libvirtError=_LibvirtError)}
    should_abort = function(mig_path, mig_tree, "should_abort", mig_ns)
    should_postcopy = function(mig_path, mig_tree,
                               "should_switch_to_postcopy", mig_ns)
    update_downtime = function(mig_path, mig_tree, "update_downtime", mig_ns)
    libvirt = types.SimpleNamespace(libvirtError=_LibvirtError,
                                    VIR_ERR_NO_DOMAIN=42,
                                    VIR_MIGRATE_POSTCOPY=1 << 15, **_JOB)
    lm_ns = {"LOG": _Log(), "_LI": _ident, "_LW": _ident, "deque": deque,
             "libvirt": libvirt,
             "power_state": types.SimpleNamespace(PAUSED=3)}
    run_nodes([n for n in mig_tree.body if isinstance(n, ast.FunctionDef)],
              mig_path, lm_ns)
    libvirt_migrate = types.SimpleNamespace(
        **{k: v for k, v in lm_ns.items() if callable(v)})
    clock = _Clock(1000)
    mon_ns = dict(drv_ns, deque=deque, time=clock, libvirt=libvirt,
                  libvirt_migrate=libvirt_migrate, _LE=_ident)
    Drv = type("Drv", (), {
        "_live_migration_monitor": function(
            drv_path, drv_tree, "_live_migration_monitor", mon_ns),
        "_get_migration_flags": function(
            drv_path, drv_tree, "_get_migration_flags", mon_ns),
        "_is_post_copy_enabled": function(
            drv_path, drv_tree, "_is_post_copy_enabled", mon_ns),
        "_clear_empty_migration": function(
            drv_path, drv_tree, "_clear_empty_migration", mon_ns),
        "_live_migration_data_gb": data_gb_fn,
        "_migration_downtime_steps": staticmethod(steps_fn),
        # the host's libvirt and QEMU can do post-copy; the flags decide
        "_is_post_copy_available": lambda self: True,
    })

    import re
    is_valid_hostname = function(utl_path, utl_tree, "is_valid_hostname",
                                 {"re": re})

    rnd = random.Random(20261201)
    out = sys.stdout
    w = out.write

    # ---- data to transfer ----
    mems = [0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 3000, 4096, 512, 8192,
            2 ** 20, 2 ** 44 - 1, 2 ** 53 + 1, 2 ** 64 - 1]
    mems += [rnd.randrange(1, 1 << 20) for _ in range(150)]
    mems += [rnd.randrange(1, 1 << 64) for _ in range(30)]
    gi = 1024 ** 3
    sizes = [-1, 0, 1, gi, 2 * gi - 1, 2 * gi, 2 * gi + 1, 3 * gi, 10 ** 10,
             2 ** 53 + 1, 2 ** 63 - 1]
    disk_sets = [[], [-1], [0], [2 * gi + 1], [3 * gi, -1, 5 * gi + 7]]
    disk_sets += [[rnd.choice(sizes) for _ in range(rnd.randrange(1, 5))]
                  for _ in range(20)]
    disk_sets += [[rnd.randrange(0, 1 << 42) for _ in range(rnd.randrange(1, 4))]
                  for _ in range(20)]
    gbs = set()
    for mem in mems:
        for disks in rnd.sample(disk_sets, 6) + [[]]:
            inst = types.SimpleNamespace(
                flavor=types.SimpleNamespace(memory_mb=mem))
            gb = data_gb_fn(None, inst, disks)
            w("gb %d %d%s = %s\n" % (mem, len(disks),
                                     "".join(" %d" % s for s in disks),
                                     float(gb).hex()))
            if gb < 1e6:
                gbs.add(gb)
    gbs = sorted(gbs)

    # ---- the downtime schedule ----
    def schedule(d, s, delay, gb):
        CONF.libvirt.live_migration_downtime = d
        CONF.libvirt.live_migration_downtime_steps = s
        CONF.libvirt.live_migration_downtime_delay = delay
        return list(steps_fn(gb))

    downtimes = [-5, 0, 99, 100, 101, 400, 500, 1000, 12345, 2 ** 31 - 1]
    stepss = [-1, 0, 2, 3, 4, 10, 11, 100]
    delays = [-3, 0, 9, 10, 11, 30, 75, 1000]
    fixed_gb = [2, 2.0, 2.9296875, 3, 3.0, 4.5, 1000.25]
    plans = []
    for d in downtimes:
        for s in stepss:
            for delay in delays:
                plans.append((d, s, delay, rnd.choice(fixed_gb + gbs)))
    plans += [(400, 10, 30, 3.0), (500, 10, 75, 2.9296875)]
    for _ in range(2500):
        plans.append((rnd.randrange(-10, 1 << rnd.choice((10, 16, 31))),
                      rnd.randrange(-2, 200), rnd.randrange(-5, 2000),
                      rnd.choice(gbs + fixed_gb)))
    for d, s, delay, gb in plans:
        st = schedule(d, s, delay, gb)
        w("steps %d %d %d %s = %d%s\n" % (
            d, s, delay, float(gb).hex(), len(st),
            "".join(" %d %d" % p for p in st)))

    # update_downtime: around every start, from every earlier value
    for d, s, delay, gb in rnd.sample(plans, 200) + plans[-2:]:
        st = schedule(d, s, delay, gb)
        curs = sorted({-1} | {p[1] for p in st[:2]} | {rnd.choice(st)[1]})
        times = {0, -1, 1, 10 ** 18}
        for secs, _ in st[:4] + st[-2:] + rnd.sample(st, min(len(st), 6)):
            times |= {secs * NS - 1, secs * NS, secs * NS + 1,
                      secs * NS + NS // 2}
        for t in sorted(times):
            for cur in curs:
                guest = _Guest()
                new = update_downtime(guest, None,
                                      None if cur == -1 else cur, st,
                                      fractions.Fraction(t, NS))
                w("due %d %d %d %s %d %d = %d %d\n" % (
                    d, s, delay, float(gb).hex(), t, cur,
                    -1 if new is None else new, guest.set_to))

    # ---- abort ----
    for cfg in [0, 1, 800, 799, 801, 12345] + [rnd.randrange(0, 10 ** 5)
                                              for _ in range(30)]:
        for gb in rnd.sample(gbs, 10) + fixed_gb:
            ns = {"CONF": types.SimpleNamespace(
                libvirt=types.SimpleNamespace(
                    live_migration_completion_timeout=cfg)),
                "data_gb": gb}
            run_nodes(ctimeout_st, drv_path, ns)
            w("ctimeout %d %s = %d\n" % (cfg, float(gb).hex(),
                                         ns["completion_timeout"]))

    marks = [None, 0, 1, 1000, 2 ** 63, 2 ** 64 - 1]
    for mark in marks:
        for rem in [0, 1, 999, 1000, 1001, 2 ** 63, 2 ** 64 - 1,
                    rnd.randrange(0, 1 << 64)]:
            info = types.SimpleNamespace(data_remaining=rem)
            ns = {"progress_watermark": mark, "progress_time": 5 * NS,
                  "now": 7 * NS + 1, "info": info}
            run_nodes(mark_st, drv_path, ns)
            w("mark %d %d %d %d %d = %d %d %d\n" % (
                mark is not None, mark or 0, 5 * NS, rem, 7 * NS + 1,
                ns["progress_watermark"] is not None,
                ns["progress_watermark"] or 0, ns["progress_time"]))

    def frac(ns_):
        return fractions.Fraction(ns_, NS)

    for _ in range(4000):
        pto = rnd.choice([0, 1, 150, 149, 151, rnd.randrange(0, 10 ** 6)])
        cto = rnd.choice([0, 1, 2343, 1600, rnd.randrange(-5, 10 ** 7),
                          2 ** 62])
        start = rnd.randrange(0, 10 ** 15)
        prog = start + rnd.randrange(0, 10 ** 12)
        since = rnd.choice([pto * NS - 1, pto * NS, pto * NS + 1,
                            rnd.randrange(-NS, 10 ** 15)])
        now = prog + since
        elapsed = rnd.choice([cto * NS - 1, cto * NS, cto * NS + 1,
                              now - start]) if cto < 2 ** 32 else now - start
        pc = rnd.random() < 0.2
        got = should_abort(None, frac(now), frac(prog), pto, frac(elapsed),
                           cto, "running (post-copy)" if pc else "running")
        w("abort %d %d %d %d %d %d = %d\n" % (now, prog, pto, elapsed, cto,
                                              pc, bool(got)))

    # ---- post-copy and percentages ----
    prevs = [-1, 0, 1, 2, 10, 20, 100, 200, 1000, 2 ** 53 - 1, 2 ** 53,
             2 ** 53 + 1, 2 ** 60 + 12345, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1]
    prevs += [rnd.randrange(1, 1 << rnd.choice((8, 20, 40, 53, 63)))
              for _ in range(300)]
    for prev in prevs:
        base = max(prev, 0)
        # where the decrease is 9.5 % and 10 %, and about
        cands = {0, 1, base, base + 1, 2 ** 64 - 1,
                 base - base * 95 // 1000, base - base // 10}
        for c in list(cands):
            for k in (-2, -1, 1, 2):
                cands.add(c + k)
        cands.add(rnd.randrange(0, base + 2))
        for cur in sorted(x for x in cands if 0 <= x < 2 ** 64):
            for it in (0, 1, 2, 7):
                for pc in (False, True):
                    if pc and it != 2:
                        continue
                    got = should_postcopy(
                        it, cur, prev,
                        "running (post-copy)" if pc else "running")
                    w("postcopy %d %d %d %d = %d\n" % (it, cur, prev, pc,
                                                       bool(got)))
            if prev > 0:
                # Python 3's own evaluation of the expression of the
                # reference's two call sites (post-copy, memory remaining)
                w("pct %d %d %d = %d\n" % (prev, cur, prev,
                                           round((prev - cur) * 100 / prev)))
                w("pct %d %d %d = %d\n" % (cur, 0, prev,
                                           round((cur - 0) * 100 / prev)))

    for total in [0, 1, 3, 7, 100, 2 ** 53 + 3, 2 ** 64 - 1] + \
            [rnd.randrange(1, 1 << 64) for _ in range(40)]:
        for rem in {0, 1, total // 2, total // 200 * 1, total,
                    rnd.randrange(0, total + 1), 2 ** 64 - 1}:
            info = types.SimpleNamespace(memory_remaining=rem,
                                         memory_total=total)
            ns = run_nodes(remain_st, drv_path, {"info": info})
            w("remain %d %d = %d\n" % (rem, total, ns["remaining"]))

    # ---- host names ----
    names = ["", "foo", "foo/?com=/bin/sh", "foo\n", "foo\n\n", "\nfoo",
             "foo\r", "a b", "host-1.example.com", "[::1]", "::1",
             "10.0.0.1:16509", "under_score", "h\u00e9llo", "\u0661\u0662",
             "\ufb01", "x" * 300, "\u00b2", "a\u200bb", "\u00e9\n", "-",
             ".", ":", "_"]
    for c in range(1, 0x250):
        names += [chr(c), "ab" + chr(c), chr(c) + "\n"]
    for s in names:
        w("host %s = %d\n" % (s.encode("utf-8").hex() or "-",
                               bool(is_valid_hostname(s))))
    # ---- the monitor as a whole ----
    for case in range(400):
        mem = rnd.choice([512, 2048, 3000, 4096, 8192,
                          rnd.randrange(1, 1 << 16)])
        disks = rnd.choice([[], [], [rnd.randrange(-1, 1 << 33)]])
        d = rnd.choice([500, 400, 100, rnd.randrange(0, 5000)])
        s_ = rnd.choice([10, 3, rnd.randrange(0, 40)])
        delay = rnd.choice([75, 30, 10, rnd.randrange(0, 100)])
        ct = rnd.choice([0, 1, 2, 3, 800, rnd.randrange(0, 50)])
        pt = rnd.choice([0, 1, 2, 5, 150, rnd.randrange(0, 100)])
        pce = rnd.random() < 0.5
        rem = rnd.choice([0, rnd.randrange(1, 1 << 12),
                          rnd.randrange(1, 1 << 40)])
        it = 1
        polls = []
        for _ in range(rnd.randrange(1, 500)):
            r = rnd.random()
            if r < 0.3:
                pass                      # no progress
            elif r < 0.6:
                rem -= rem * rnd.randrange(0, 25) // 100
            elif r < 0.75:
                rem += rnd.randrange(0, 1 + rem // 5)
            elif r < 0.8:
                rem = 0
            elif r < 0.9:
                rem = rnd.randrange(0, 1 << 40)
            if rnd.random() < 0.1:
                it += 1
            polls.append((rem, it, int(rnd.random() < 0.3)))
        CONF.libvirt.live_migration_downtime = d
        CONF.libvirt.live_migration_downtime_steps = s_
        CONF.libvirt.live_migration_downtime_delay = delay
        CONF.libvirt.live_migration_completion_timeout = ct
        CONF.libvirt.live_migration_progress_timeout = pt
        drv = Drv()
        drv.active_migrations = {"u": deque()}
        drv._live_migration_flags = libvirt.VIR_MIGRATE_POSTCOPY if pce else 0
        drv._block_migration_flags = drv._live_migration_flags
        inst = types.SimpleNamespace(
            uuid="u", flavor=types.SimpleNamespace(memory_mb=mem),
            progress=None, save=lambda: None)
        migration = types.SimpleNamespace(status="running", save=lambda: None)
        guest = _MonitoredGuest(polls)
        done = []
        clock.t = fractions.Fraction(1000)
        drv._live_migration_monitor(
            None, inst, guest, "dest", lambda *a, **k: done.append(1),
            lambda *a, **k: done.append(0), False,
            types.SimpleNamespace(migration=migration, block_migration=False),
            types.SimpleNamespace(ready=lambda: False), disks)
        if done != [1] or len(guest.rec) != len(polls):
            die("the monitor did not run its course (case %d)" % case)
        w("mon %d %d%s %d %d %d %d %d %d %d%s =%s\n" % (
            mem, len(disks), "".join(" %d" % x for x in disks), d, s_, delay,
            ct, pt, pce, len(polls),
            "".join(" %d %d %d" % p for p in polls),
            "".join(" %d %d %d" % tuple(r) for r in guest.rec)))
    out.flush()


if __name__ == "__main__":
    main()
