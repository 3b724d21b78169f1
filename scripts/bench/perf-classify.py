#!/usr/bin/env python3
"""Summarises `perf script -F tid,ip,sym` output of a biliup run (used by scripts/bench/profile.sh).

Each sample is put in a thread class (network: the thread whose stacks contain curl_multi_*, main: the
thread whose tid is the pid, recording: threads running Recording.run, else other) and a cost class: the
syscall it is in (the frame that do_syscall_64 called) or, in user space, the leaf symbol. Prints the
share of all samples per thread class, and per thread class the top cost classes.
"""
import collections, re, sys

def samples(lines):
    tid, stack = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if tid is not None:
                yield tid, stack
            tid, stack = None, []
        elif tid is None:
            tid = int(line.split()[0])
        else:
            parts = line.strip().split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else "?")
    if tid is not None:
        yield tid, stack

def short(sym):
    # Input comes through `swift demangle --simplified`; keep the function name without its argument list.
    return sym.split("(")[0] if "(" in sym and not sym.startswith("(") else sym

def main():
    pid = int(sys.argv[1]) if len(sys.argv) > 1 else None
    data = list(samples(sys.stdin))
    kind = {}
    for tid, stack in data:
        joined = " ".join(stack)
        if "curl_multi" in joined:
            kind[tid] = "network"
        elif "Recording." in joined and kind.get(tid) != "network":
            kind.setdefault(tid, "recording")
    total = len(data)
    by_thread = collections.Counter()
    by_cost = collections.defaultdict(collections.Counter)
    for tid, stack in data:
        t = kind.get(tid, "main" if tid == pid else "other")
        cost = None
        if "do_syscall_64" in stack:
            i = stack.index("do_syscall_64")
            cost = "sys:" + (stack[i - 1] if i > 0 else "?")
        elif stack and any(s.startswith(("asm_", "irq_", "__irq", "sysvec_")) for s in stack):
            cost = "kernel(irq):" + stack[0]
        elif stack:
            cost = "user:" + short(stack[0])
        by_thread[t] += 1
        by_cost[t][cost] += 1
    print(f"{total} samples")
    for t, n in by_thread.most_common():
        print(f"{t:10s} {100 * n / total:5.1f}%  ({len([k for k in kind if kind[k] == t]) or '-'} threads)")
        for c, m in by_cost[t].most_common(12):
            print(f"      {100 * m / total:5.1f}%  {c}")

main()
