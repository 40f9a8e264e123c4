"""What the guest benchmarks share: the default guest's files, and a VMM driven like a terminal."""
import os
import re
import select
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMPT = rb"# $|# \Z|# (?=\x1b)"


def image():
    cache = os.environ.get("JVIRT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "jvirt")
    d = os.path.join(cache, "images", "debian-13-riscv64")
    subprocess.run([os.path.join(ROOT, "jvirt"), "image", "pull", "debian-13-riscv64"], check=True,
                   stdout=subprocess.DEVNULL)
    return {k: os.path.join(d, f) for k, f in
            (("kernel", "vmlinux"), ("initrd", "initrd.cpio"), ("bios", "fw_dynamic.bin"))}


class Session:
    """A VMM process whose console is driven like a terminal."""

    def __init__(self, argv, rss_file=None):
        self.start = time.monotonic()
        prefix = ["/usr/bin/time", "-v", "-o", rss_file] if rss_file else []
        self.proc = subprocess.Popen(prefix + argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.buf = b""
        self.pos = 0

    def wait_for(self, pattern, timeout=900):
        deadline = time.monotonic() + timeout
        while True:
            m = re.compile(pattern).search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return m, time.monotonic() - self.start
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("no %r; console tail:\n%s" % (pattern, self.buf[-2000:].decode("latin-1")))
            r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if r:
                data = os.read(self.proc.stdout.fileno(), 65536)
                if b"\x1b[6n" in data:  # busybox asks the terminal for the cursor position
                    self.type(b"\x1b[24;1R", newline=False)
                self.buf += data.replace(b"\x1b[6n", b"")

    def type(self, text, newline=True):
        self.proc.stdin.write((text if isinstance(text, bytes) else text.encode()) + (b"\n" if newline else b""))
        self.proc.stdin.flush()


def print_ratios(rows, results, digits):
    """The Markdown table docs/PERFORMANCE.md takes: each row's median for jvirt and QEMU, and their ratio."""
    print("| workload | jvirt | QEMU | jvirt / QEMU |")
    print("| --- | ---: | ---: | ---: |")
    for label, key in rows:
        j = statistics.median(r[key] for r in results["jvirt"])
        q = statistics.median(r[key] for r in results["qemu"])
        print("| %s | %.*f | %.*f | %.2f |" % (label, digits, j, digits, q, j / q))
