#!/usr/bin/env python3
"""W5 network (BENCHMARKS.md): TCP bulk transfer through user-mode NAT, jvirt against QEMU's
-netdev user (slirp), on the same guest, alternating.

guest -> host (W5 proper): in the guest `dd if=/dev/zero bs=64k count=N | nc 10.0.2.2 PORT`; a
  listener on the host's 127.0.0.1 counts the bytes and times them from the first byte to the
  last (MB/s at the host listener, higher is better).
host -> guest: the host sends N bytes to `nc 10.0.2.2 PORT > /dev/null` in the guest, timed from
  the connection to the guest's last byte read (the host closes; the guest reports when nc ends).

Usage: bench/network.py [--runs N] [--mib M] [--only jvirt|qemu]
"""
import argparse
import os
import socket
import sys
import threading
import time

from benchlib import PROMPT, ROOT, Session, image, print_ratios


def commands(img):
    common = ["-m", "512M"]
    return {
        "jvirt": [os.path.join(ROOT, "jvirt"), "run", "--net", "user"] + common,
        "qemu": ["qemu-system-riscv64", "-M", "virt", "-display", "none", "-monitor", "none", "-serial", "stdio",
                 "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0",
                 "-bios", img["bios"], "-kernel", img["kernel"], "-initrd", img["initrd"],
                 "-append", "console=ttyS0"] + common,
    }


def listener():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def receive(server, expected, result):
    """Counts what the guest sends; the clock runs from the first byte to the expected last."""
    conn, _ = server.accept()
    total = 0
    first = None
    while total < expected:
        data = conn.recv(1 << 20)
        if not data:
            break
        if first is None:
            first = time.monotonic()
        total += len(data)
    result["seconds"] = time.monotonic() - first if first else float("inf")
    result["bytes"] = total
    conn.close()


def send(server, count, result):
    conn, _ = server.accept()
    start = time.monotonic()
    block = b"\0" * (1 << 20)
    for _ in range(count):
        conn.sendall(block)
    conn.close()
    result["start"] = start


def run_once(argv, mib):
    s = Session(argv)
    try:
        s.wait_for(rb"BusyBox v")
        s.wait_for(PROMPT)
        s.type("dmesg -n 1; ifconfig eth0 | grep -c 'inet addr:10.0.2.15'")
        s.wait_for(rb"\n1\r?\n")  # eth0 has its lease
        s.wait_for(PROMPT)

        server = listener()
        up = {}
        t = threading.Thread(target=receive, args=(server, mib << 20, up))
        t.start()
        # The markers are computed by the shell, so that the echo of the typed line does not match.
        s.type("dd if=/dev/zero bs=64k count=%d 2>/dev/null | nc 10.0.2.2 %d; echo W5UP$((40+2))"
               % (mib * 16, server.getsockname()[1]))
        t.join(timeout=900)
        server.close()
        s.wait_for(rb"W5UP42")
        s.wait_for(PROMPT)

        server = listener()
        down = {}
        t = threading.Thread(target=send, args=(server, mib, down))
        t.start()
        s.type("nc 10.0.2.2 %d > /dev/null; echo W5DOWN$((40+2))" % server.getsockname()[1])
        s.wait_for(rb"W5DOWN42")
        end = time.monotonic()
        t.join(timeout=60)
        server.close()
        s.wait_for(PROMPT)
        s.type("poweroff -f")
        s.proc.wait(timeout=120)
        if up["bytes"] != mib << 20:
            raise RuntimeError("the host received %d bytes of %d" % (up["bytes"], mib << 20))
        return {"guest_to_host": up["bytes"] / 1e6 / up["seconds"],
                "host_to_guest": (mib << 20) / 1e6 / (end - down["start"])}
    finally:
        if s.proc.poll() is None:
            s.proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs of each VMM (default 3)")
    ap.add_argument("--mib", type=int, default=64, help="MiB moved each way (default 64)")
    ap.add_argument("--only", choices=("jvirt", "qemu"), help="run one VMM (no ratios)")
    args = ap.parse_args()
    argvs = commands(image())
    results = {"jvirt": [], "qemu": []}
    for i in range(args.runs):
        for name in ([args.only] if args.only else ["qemu", "jvirt"]):
            r = run_once(argvs[name], args.mib)
            results[name].append(r)
            print("run %d %-5s %s" % (i + 1, name, " ".join("%s=%.1f" % kv for kv in r.items())), file=sys.stderr)
    if args.only:
        return
    rows = [("W5 guest → host, %d MiB through `nc` (MB/s)" % args.mib, "guest_to_host"),
            ("host → guest, %d MiB through `nc` (MB/s)" % args.mib, "host_to_guest")]
    print_ratios(rows, results, 1)


if __name__ == "__main__":
    main()
