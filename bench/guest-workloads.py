#!/usr/bin/env python3
"""Workloads W1-W3 and W7 of BENCHMARKS.md: jvirt against QEMU on the same guest, alternating.

Each run boots the default guest (Debian's kernel and OpenSBI, jvirt's busybox initramfs) with
-m 512M, types the W2 and W3 commands at the shell, powers off, and records:
  W1  host wall clock from process start to the init script's marker line, and the guest's
      uptime when the kernel ran /init (its own printk timestamp);
  W2  dd if=/dev/zero bs=1M count=64 | sha256sum, timed by the guest's /proc/uptime;
  W3  dd if=/dev/zero bs=1M count=16 | gzip -6 | wc -c, likewise;
  W7  peak RSS of the VMM process over the whole run (/usr/bin/time -v).
Runs alternate A B A B ...; the table reports medians and the ratio jvirt / QEMU (lower is better).

Usage: bench/guest-workloads.py [--runs N] [--json FILE] [--only jvirt|qemu]
JVM options for jvirt come from JVIRT_JAVA_OPTS, as for ./jvirt.
"""
import argparse
import json
import os
import re
import sys
import time

from benchlib import PROMPT, ROOT, Session, image, print_ratios
MARKER = b"jvirt: init started"
W2 = "a=$(cut -d' ' -f1 /proc/uptime); dd if=/dev/zero bs=1M count=64 2>/dev/null | sha256sum >/dev/null; " \
     "b=$(cut -d' ' -f1 /proc/uptime); echo W2RESULT $a $b"
W3 = "a=$(cut -d' ' -f1 /proc/uptime); n=$(dd if=/dev/zero bs=1M count=16 2>/dev/null | gzip -6 | wc -c); " \
     "b=$(cut -d' ' -f1 /proc/uptime); echo W3RESULT $a $b $n"


def commands(img):
    common = ["-m", "512M"]
    return {
        "jvirt": [os.path.join(ROOT, "jvirt"), "run"] + common,
        "qemu": ["qemu-system-riscv64", "-M", "virt", "-nographic", "-bios", img["bios"], "-kernel", img["kernel"],
                 "-initrd", img["initrd"], "-append", "console=ttyS0"] + common,
    }


def run_once(argv):
    rss_file = "/tmp/guest-workloads-%d.time" % os.getpid()
    s = Session(argv, rss_file)
    try:
        m, _ = s.wait_for(rb"\[\s*([0-9.]+)\] Run /init as init process")
        init_uptime = float(m.group(1))
        _, w1_wall = s.wait_for(re.escape(MARKER))
        s.wait_for(PROMPT)
        s.type(W2)
        m, _ = s.wait_for(rb"W2RESULT ([0-9.]+) ([0-9.]+)")
        w2 = float(m.group(2)) - float(m.group(1))
        s.type(W3)
        m, _ = s.wait_for(rb"W3RESULT ([0-9.]+) ([0-9.]+) ([0-9]+)")
        w3 = float(m.group(2)) - float(m.group(1))
        s.type("poweroff -f")
        s.proc.wait(timeout=120)
        total = time.monotonic() - s.start
        with open(rss_file) as f:
            rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read()).group(1))
        return {"w1_wall": w1_wall, "w1_guest": init_uptime, "w2": w2, "w3": w3, "total": total,
                "rss_mb": rss_kb / 1024}
    finally:
        if s.proc.poll() is None:
            s.proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs of each VMM (default 3)")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--only", choices=("jvirt", "qemu"), help="run one VMM (no ratios)")
    args = ap.parse_args()
    argvs = commands(image())
    results = {"jvirt": [], "qemu": []}
    for i in range(args.runs):
        for name in ([args.only] if args.only else ["qemu", "jvirt"]):
            r = run_once(argvs[name])
            results[name].append(r)
            print("run %d %-5s %s" % (i + 1, name, " ".join("%s=%.2f" % kv for kv in r.items())), file=sys.stderr)
    if args.only:
        return
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    rows = [("W1 boot: host wall to the init marker (s)", "w1_wall"),
            ("W1 boot: guest uptime at /init (s)", "w1_guest"),
            ("W2 compute: 64 MiB sha256sum (s)", "w2"),
            ("W3 compress: 16 MiB gzip -6 (s)", "w3"),
            ("W1-W3 whole script, host wall to exit (s)", "total"),
            ("W7 memory: peak RSS (MB)", "rss_mb")]
    print_ratios(rows, results, 2)


if __name__ == "__main__":
    main()
