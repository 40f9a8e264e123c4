#!/usr/bin/env python3
"""Managed VMs with the guest agent: jvirt's `vm start` / control socket against QEMU running the
same guest (kernel, initramfs, busybox agent) with the agent's port on a virtserialport, as
libvirt sets it up. Alternating, medians of --runs.

  up     launch -> the guest agent answers guest-ping (jvirt: `jvirt vm start` and its VM process;
         QEMU: the qemu-system-riscv64 process)
  exec   one `guest-exec true` + `guest-exec-status` until it has exited, each command preceded by
         guest-sync-delimited as libvirt does (jvirt's VM process does that itself; here the
         script does it for QEMU); median of --execs
  stop   guest-shutdown sent -> the VMM process is gone

jvirt is reached through its control socket's `guest-agent` command, QEMU's agent straight on its
socket, so jvirt's figure includes one more hop.

Usage: bench/agent.py [--runs N] [--execs N]
"""
import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

from benchlib import ROOT, image, print_ratios


class Qga:
    """QGA over a Unix socket: straight to the agent (direct) or through jvirt's control socket."""

    def __init__(self, path, through_jvirt):
        self.path = path
        self.through_jvirt = through_jvirt
        self.sock = None
        self.buf = b""

    def connect(self, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(self.path)
                return
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _line(self, timeout):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line[line.rindex(b"\xff") + 1:] if b"\xff" in line else line  # the delimiter of a sync reply

    def _send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def _sync(self, deadline):
        ids = set()
        while time.monotonic() < deadline:
            i = random.randrange(1, 2 ** 31)
            ids.add(i)
            self._send({"execute": "guest-sync-delimited", "arguments": {"id": i}})
            try:
                while True:
                    line = self._line(1.0)
                    try:
                        if json.loads(line).get("return") in ids:
                            return
                    except ValueError:
                        pass
            except socket.timeout:
                continue
        raise RuntimeError("no agent")

    def call(self, command, timeout=120):
        deadline = time.monotonic() + timeout
        if self.through_jvirt:
            self._send({"execute": "guest-agent", "arguments": {"command": command, "timeout": timeout}})
            reply = json.loads(self._line(timeout + 5))
        else:
            self._sync(deadline)
            self._send(command)
            if command["execute"] == "guest-shutdown":
                return None
            while True:
                reply = json.loads(self._line(timeout))
                if not isinstance(reply.get("return"), int):
                    break
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply.get("return")


def exec_true(qga):
    start = time.monotonic()
    pid = qga.call({"execute": "guest-exec", "arguments": {"path": "true", "capture-output": True}})["pid"]
    while not qga.call({"execute": "guest-exec-status", "arguments": {"pid": pid}})["exited"]:
        time.sleep(0.01)
    return time.monotonic() - start


def gone(pid):
    """Ended: no such process, or a zombie (the VM process is not this script's child; its reaper may be slow)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def measure(qga, execs, shutdown, ended):
    qga.call({"execute": "guest-ping"}, timeout=300)
    up = time.monotonic()
    rtt = statistics.median(exec_true(qga) for _ in range(execs))
    start = time.monotonic()
    shutdown()
    ended()
    return up, rtt, time.monotonic() - start


def run_jvirt(execs, home):
    env = dict(os.environ, JVIRT_HOME=home)
    jvirt = os.path.join(ROOT, "jvirt")
    subprocess.run([jvirt, "vm", "create", "bench"], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    try:
        launch = time.monotonic()
        subprocess.run([jvirt, "vm", "start", "bench"], env=env, check=True, stdout=subprocess.DEVNULL)
        vmdir = os.path.join(home, "vms", "bench")
        pid = int(open(os.path.join(vmdir, "vm.pid")).read())
        qga = Qga(os.path.join(vmdir, "control.sock"), True)
        qga.connect(time.monotonic() + 60)

        def ended():
            while not gone(pid):
                time.sleep(0.01)

        up, rtt, stop = measure(qga, execs, lambda: qga.call({"execute": "guest-shutdown"}), ended)
        return up - launch, rtt, stop
    finally:
        subprocess.run([jvirt, "vm", "delete", "--force", "bench"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def run_qemu(execs, img, tmp):
    sock = os.path.join(tmp, "qga.sock")
    launch = time.monotonic()
    proc = subprocess.Popen(
        ["qemu-system-riscv64", "-M", "virt", "-m", "512M", "-display", "none", "-monitor", "none",
         "-serial", "file:" + os.path.join(tmp, "console.log"),
         "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0",
         "-device", "virtio-serial-device",
         "-chardev", "socket,path=%s,server=on,wait=off,id=qga0" % sock,
         "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
         "-bios", img["bios"], "-kernel", img["kernel"], "-initrd", img["initrd"], "-append", "console=ttyS0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        qga = Qga(sock, False)
        qga.connect(time.monotonic() + 60)
        up, rtt, stop = measure(qga, execs, lambda: qga.call({"execute": "guest-shutdown"}), proc.wait)
        return up - launch, rtt, stop
    finally:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--execs", type=int, default=20)
    args = ap.parse_args()
    img = image()
    results = {"jvirt": [], "qemu": []}
    for run in range(args.runs):
        for engine in ("jvirt", "qemu"):
            tmp = tempfile.mkdtemp(prefix="jvb")
            try:
                r = run_jvirt(args.execs, tmp) if engine == "jvirt" else run_qemu(args.execs, img, tmp)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            results[engine].append({"up": r[0], "exec_ms": r[1] * 1000, "stop": r[2]})
            print("run %d %-5s up %.2f s, exec %.0f ms, stop %.2f s" % (run + 1, engine, r[0], r[1] * 1000, r[2]),
                  flush=True)
    print()
    print_ratios([("up: launch → the agent answers guest-ping (s)", "up"),
                  ("exec: guest-exec true + guest-exec-status until exited (ms)", "exec_ms"),
                  ("stop: guest-shutdown → the VMM process has ended (s)", "stop")], results, 2)


if __name__ == "__main__":
    main()
