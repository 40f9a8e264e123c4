#!/usr/bin/env python3
"""Paravirtual against emulated I/O, jvirt against QEMU, on the same guest and files, alternating.

W4 disk (BENCHMARKS.md): a 256 MiB raw file as a virtio-blk disk; in the guest a sequential write
  dd if=/dev/zero of=/dev/vda bs=1M count=256 oflag=direct, then a sequential read with
  iflag=direct, each timed by the guest's /proc/uptime and reported in MB/s (higher is better).
Console: the same 1 MiB pushed through the emulated 16550 UART (/dev/ttyS0) and through
  virtio-console (/dev/hvc0) in one boot with the console on hvc0, timed the same way, in KB/s.

Usage: bench/virtio-io.py [--runs N] [--only jvirt|qemu]
"""
import argparse
import os
import sys
import tempfile

from benchlib import PROMPT, ROOT, Session, image, print_ratios

DISK_MIB = 256
CONSOLE_KIB = 1024
TIMED = "a=$(cut -d' ' -f1 /proc/uptime); {cmd}; b=$(cut -d' ' -f1 /proc/uptime); echo {tag}RESULT $a $b"


def commands(img, disk):
    common = ["-m", "512M", "-append", "console=hvc0"]
    return {
        "jvirt": [os.path.join(ROOT, "jvirt"), "run", "--console", "virtio",
                  "--drive", "file=%s,format=raw" % disk] + common,
        "qemu": ["qemu-system-riscv64", "-M", "virt", "-display", "none", "-monitor", "none",
                 "-chardev", "stdio,id=c0,mux=on", "-serial", "chardev:c0",
                 "-device", "virtio-serial-device", "-device", "virtconsole,chardev=c0",
                 "-drive", "file=%s,format=raw,if=none,id=d0" % disk, "-device", "virtio-blk-device,drive=d0",
                 "-bios", img["bios"], "-kernel", img["kernel"], "-initrd", img["initrd"]] + common,
    }


def timed(session, tag, cmd):
    session.type(TIMED.format(cmd=cmd, tag=tag))
    m, _ = session.wait_for((r"%sRESULT ([0-9.]+) ([0-9.]+)" % tag).encode())
    session.wait_for(PROMPT)
    return float(m.group(2)) - float(m.group(1))


def run_once(argv):
    s = Session(argv)
    try:
        s.wait_for(rb"BusyBox v")
        s.wait_for(PROMPT)
        write = timed(s, "W4W", "dd if=/dev/zero of=/dev/vda bs=1M count=%d oflag=direct 2>/dev/null" % DISK_MIB)
        read = timed(s, "W4R", "dd if=/dev/vda of=/dev/null bs=1M count=%d iflag=direct 2>/dev/null" % DISK_MIB)
        push = "dd if=/dev/zero bs=1k count=%d 2>/dev/null | tr '\\000' x > /dev/%s" % (CONSOLE_KIB, "%s")
        uart = timed(s, "UART", push % "ttyS0")
        hvc = timed(s, "HVC", push % "hvc0")
        s.type("poweroff -f")
        s.proc.wait(timeout=120)
        return {"disk_write": DISK_MIB * 1.048576 / write, "disk_read": DISK_MIB * 1.048576 / read,
                "uart": CONSOLE_KIB * 1.024 / uart, "virtio_console": CONSOLE_KIB * 1.024 / hvc}
    finally:
        if s.proc.poll() is None:
            s.proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs of each VMM (default 3)")
    ap.add_argument("--only", choices=("jvirt", "qemu"), help="run one VMM (no ratios)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "w4.img")
        with open(disk, "wb") as f:
            f.truncate(DISK_MIB << 20)
        argvs = commands(image(), disk)
        results = {"jvirt": [], "qemu": []}
        for i in range(args.runs):
            for name in ([args.only] if args.only else ["qemu", "jvirt"]):
                r = run_once(argvs[name])
                results[name].append(r)
                print("run %d %-5s %s" % (i + 1, name, " ".join("%s=%.1f" % kv for kv in r.items())), file=sys.stderr)
    if args.only:
        return
    rows = [("W4 disk: sequential write, 256 MiB, O_DIRECT (MB/s)", "disk_write"),
            ("W4 disk: sequential read, 256 MiB, O_DIRECT (MB/s)", "disk_read"),
            ("console: 1 MiB through the 16550 UART, ttyS0 (KB/s)", "uart"),
            ("console: 1 MiB through virtio-console, hvc0 (KB/s)", "virtio_console")]
    print_ratios(rows, results, 1)


if __name__ == "__main__":
    main()
