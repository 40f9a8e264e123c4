#!/usr/bin/env python3
"""Disk images: jvirt img against qemu-img on the same files, alternating, medians.

W6 (BENCHMARKS.md): `convert` of a 1 GiB sparse-ish raw image (256 MiB of data in 2 MiB runs,
  half random, half compressible text; the rest holes) to qcow2, the same qcow2 back to raw, and
  raw to compressed qcow2 (-c); host wall clock of the whole command, JVM start included.
BlockDevice layer: `img bench` (qemu-img bench's options; -d 1, one request at a time) on a 1 GiB
  raw file and a fully allocated qcow2 made from it: sequential 64 KiB reads and writes, 4 KiB
  sequential writes into a fresh (unallocated) image, and, jvirt only (qemu-img bench has no random
  mode), 4 KiB random reads and writes in place. Reported in MB/s; higher is better.

Usage: bench/images.py [--runs N] [--dir DIR]
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JVIRT = os.path.join(ROOT, "jvirt")
GIB = 1 << 30
MIB = 1 << 20


def make_input(path):
    rnd = random.Random(6)
    with open(path, "wb") as f:
        f.truncate(GIB)
        text = b"".join(b"line %08d: the quick brown fox jumps over the lazy dog\n" % i for i in range(40000))
        for i, start in enumerate(sorted(rnd.sample(range(0, GIB // (2 * MIB)), 128))):
            f.seek(start * 2 * MIB)
            f.write(os.urandom(2 * MIB) if i % 2 else text[:2 * MIB].ljust(2 * MIB, b"."))


def wall(argv):
    t = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - t


def tool(name):
    return ["qemu-img"] if name == "qemu" else [JVIRT, "img"]


def bench_seconds(name, args):
    out = subprocess.run(tool(name) + ["bench"] + args, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"Run completed in ([0-9.]+) seconds", out).group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where the 1 GiB files go (default: a temporary folder)")
    args = ap.parse_args()
    subprocess.run([JVIRT, "img", "--help"], check=True, stdout=subprocess.DEVNULL)  # builds the jar once
    work = tempfile.mkdtemp(prefix="jvirt-bench-", dir=args.dir)
    try:
        src = os.path.join(work, "in.raw")
        make_input(src)
        q = os.path.join(work, "in.qcow2")
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", src, q], check=True)
        out = os.path.join(work, "out")
        w6 = {
            "raw → qcow2": lambda t: wall(tool(t) + ["convert", "-f", "raw", "-O", "qcow2", src, out]),
            "qcow2 → raw": lambda t: wall(tool(t) + ["convert", "-f", "qcow2", "-O", "raw", q, out]),
            "raw → qcow2 -c": lambda t: wall(tool(t) + ["convert", "-c", "-f", "raw", "-O", "qcow2", src, out]),
        }
        full_raw = os.path.join(work, "full.raw")
        with open(full_raw, "wb") as f:
            for _ in range(GIB // (16 * MIB)):
                f.write(os.urandom(16 * MIB))
        full_q = os.path.join(work, "full.qcow2")
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", full_raw, full_q], check=True)
        fresh = os.path.join(work, "fresh")

        def fresh_image(fmt):
            if os.path.exists(fresh):
                os.remove(fresh)
            subprocess.run(["qemu-img", "create", "-q", "-f", fmt, fresh, "1G"], check=True)
            return fresh

        layer = {}
        for fmt, img in (("raw", full_raw), ("qcow2", full_q)):
            base = ["-f", fmt, "-d", "1"]
            layer["%s 64 KiB sequential read" % fmt] = (16384 * 64 * 1024, lambda t, b=base, i=img: bench_seconds(
                t, b + ["-c", "16384", "-s", "64k", i]), True)
            layer["%s 64 KiB sequential write (allocated)" % fmt] = (16384 * 64 * 1024, lambda t, b=base, i=img: bench_seconds(
                t, b + ["-w", "-c", "16384", "-s", "64k", i]), True)
            layer["%s 4 KiB sequential write (fresh image)" % fmt] = (65536 * 4096, lambda t, b=base, f=fmt: bench_seconds(
                t, b + ["-w", "-c", "65536", "-s", "4k", fresh_image(f)]), True)
            layer["%s 4 KiB random read" % fmt] = (100000 * 4096, lambda t, b=base, i=img: bench_seconds(
                t, b + ["--random", "-c", "100000", "-s", "4k", i]), False)
            layer["%s 4 KiB random write (allocated)" % fmt] = (100000 * 4096, lambda t, b=base, i=img: bench_seconds(
                t, b + ["--random", "-w", "-c", "100000", "-s", "4k", i]), False)

        results = {}
        for r in range(args.runs):
            for t in ("qemu", "jvirt"):  # alternating
                for k, f in w6.items():
                    results.setdefault(("w6", k, t), []).append(f(t))
                    os.remove(out)
                for k, (bytes_, f, both) in layer.items():
                    if both or t == "jvirt":
                        results.setdefault(("layer", k, t), []).append(bytes_ / f(t) / 1e6)
        print("W6 img convert, host wall clock (s), median of %d; lower is better" % args.runs)
        print("| conversion | jvirt | qemu-img | jvirt / qemu-img |")
        print("| --- | ---: | ---: | ---: |")
        for k in w6:
            j, q_ = statistics.median(results[("w6", k, "jvirt")]), statistics.median(results[("w6", k, "qemu")])
            print("| %s | %.2f | %.2f | **%.2f** |" % (k, j, q_, j / q_))
        print()
        print("BlockDevice layer, img bench -d 1 (MB/s), median of %d; higher is better" % args.runs)
        print("| workload | jvirt | qemu-img | jvirt / qemu-img |")
        print("| --- | ---: | ---: | ---: |")
        for k, (_, _, both) in layer.items():
            j = statistics.median(results[("layer", k, "jvirt")])
            if both:
                q_ = statistics.median(results[("layer", k, "qemu")])
                print("| %s | %.0f | %.0f | **%.2f** |" % (k, j, q_, j / q_))
            else:
                print("| %s | %.0f | n/a | |" % (k, j))
        print()
        print("raw runs:", {"%s/%s/%s" % key: [round(v, 3) for v in vals] for key, vals in results.items()})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
