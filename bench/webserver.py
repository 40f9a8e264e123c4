#!/usr/bin/env python3
"""The web-server example (examples/webserver/user-data) on the Debian cloud image, jvirt against
QEMU: both boot the same kernel, initramfs and qcow2 base (each run on a fresh overlay of it), the
same NoCloud seed (written by `jvirt cloud-init seed`) and forward host ports to the guest's 22 and
80 through their user-mode NAT. Alternating, medians of --runs.

  ssh     launch -> the guest's sshd answers with its banner through the forwarded port
  nginx   launch -> nginx's page comes back through the forwarded port (cloud-init has fetched and
          installed nginx and ufw from the mirror, through the NAT, and run runcmd)

Usage: bench/webserver.py [--runs N]
"""
import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

from benchlib import ROOT, print_ratios

IMAGE = "debian-13-riscv64-cloud"


def cloud_image():
    subprocess.run([os.path.join(ROOT, "jvirt"), "image", "pull", IMAGE], check=True, stdout=subprocess.DEVNULL)
    cache = os.environ.get("JVIRT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "jvirt")
    d = os.path.join(cache, "images", IMAGE)
    props = dict(line.strip().split("=", 1) for line in open(os.path.join(d, "image.properties"))
                 if "=" in line and not line.startswith("#"))
    return {"kernel": os.path.join(d, "vmlinux"), "initrd": os.path.join(d, "initrd.img"),
            "bios": os.path.join(d, "fw_dynamic.bin"), "base": os.path.join(d, props["disk.file"]),
            "append": props["kernel.append"].replace("\\=", "=")}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ssh_banner(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.settimeout(5)
            return s.recv(64).startswith(b"SSH-")
    except OSError:
        return False


def nginx_page(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10) as r:
            return b"nginx" in r.read()
    except OSError:
        return False


def run(vmm, img, seed, work, timeout=3600):
    overlay = os.path.join(work, vmm + ".qcow2")
    if os.path.exists(overlay):
        os.remove(overlay)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", img["base"], "-F", "qcow2", overlay, "4G"],
                   check=True)
    ssh, http = free_port(), free_port()
    fwd = "hostfwd=tcp:127.0.0.1:%d-:22,hostfwd=tcp:127.0.0.1:%d-:80" % (ssh, http)
    if vmm == "qemu":
        argv = ["qemu-system-riscv64", "-M", "virt", "-m", "1G", "-nographic", "-bios", img["bios"],
                "-kernel", img["kernel"], "-initrd", img["initrd"], "-append", img["append"],
                "-drive", "file=%s,format=qcow2,if=none,id=d0" % overlay, "-device", "virtio-blk-device,drive=d0",
                "-drive", "file=%s,format=raw,if=none,id=d1,readonly=on" % seed, "-device", "virtio-blk-device,drive=d1",
                "-netdev", "user,id=n0," + fwd, "-device", "virtio-net-device,netdev=n0"]
    else:
        argv = [os.path.join(ROOT, "jvirt"), "run", "-m", "1G", "--bios", img["bios"], "--kernel", img["kernel"],
                "--initrd", img["initrd"], "--append", img["append"],
                "--drive", "file=%s,format=qcow2" % overlay, "--drive", "file=%s,format=raw,readonly=on" % seed,
                "--net", "user," + fwd]
    log = open(os.path.join(work, vmm + ".log"), "wb")
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    result = {}
    try:
        while "nginx" not in result:
            if proc.poll() is not None or time.monotonic() - start > timeout:
                raise RuntimeError("%s: no nginx page after %.0f s; see %s" % (vmm, time.monotonic() - start, log.name))
            if "ssh" not in result and ssh_banner(ssh):
                result["ssh"] = time.monotonic() - start
            if nginx_page(http):
                result["nginx"] = time.monotonic() - start
            time.sleep(2)
    finally:
        proc.kill()
        proc.wait()
        log.close()
    print("%s: ssh %.1f s, nginx %.1f s" % (vmm, result.get("ssh", float("nan")), result["nginx"]), flush=True)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    img = cloud_image()
    work = tempfile.mkdtemp(prefix="jvirt-webserver-")
    try:
        key = os.path.join(work, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        pub = open(key + ".pub").read().strip()
        user_data = os.path.join(work, "user-data")
        with open(os.path.join(ROOT, "examples", "webserver", "user-data")) as src, open(user_data, "w") as dst:
            for line in src:
                dst.write(line.split("- ssh-ed25519 ")[0] + "- " + pub + "\n" if "- ssh-ed25519 " in line else line)
        # What `jvirt vm create` puts beside the user-data for a cloud image (DHCPv4 only; /etc/hosts managed).
        network_config = os.path.join(work, "network-config")
        with open(network_config, "w") as f:
            f.write("version: 2\nethernets:\n  eth0:\n    dhcp4: true\n")
        vendor_data = os.path.join(work, "vendor-data")
        with open(vendor_data, "w") as f:
            f.write("#cloud-config\nmanage_etc_hosts: true\n")
        seed = os.path.join(work, "seed.iso")
        subprocess.run([os.path.join(ROOT, "jvirt"), "cloud-init", "seed", "--user-data", user_data,
                        "--network-config", network_config, "--vendor-data", vendor_data,
                        "--hostname", "webserver-01", "-o", seed], check=True, stdout=subprocess.DEVNULL)
        results = {"qemu": [], "jvirt": []}
        for _ in range(args.runs):
            for vmm in ("qemu", "jvirt"):
                results[vmm].append(run(vmm, img, seed, work))
        print_ratios([("launch -> sshd answers through the forward (s)", "ssh"),
                      ("launch -> nginx's page through the forward: provisioned (s)", "nginx")], results, 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
