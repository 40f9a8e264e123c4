#!/usr/bin/env bash
# Boots examples/webserver/user-data on the Debian cloud image and shows that it worked: ports
# 8080 and 2222 on this host forward to the guest's 80 and 22, cloud-init is waited for, then
# nginx's page is fetched and the admin user logs in over SSH with a key made for the run.
#   examples/webserver/run.sh [VM-NAME]     (default webserver-01; the VM is left running)
# 'jvirt vm stop NAME' and 'jvirt vm delete NAME' remove it afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jvirt="$here/../../jvirt"
name=${1:-webserver-01}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started )) s"; }

ssh-keygen -q -t ed25519 -N '' -C "jvirt-example" -f "$work/id_ed25519"
# The key in user-data is a placeholder: this run's own key takes its place.
awk -v key="$(cat "$work/id_ed25519.pub")" '/^ *- ssh-ed25519 /{sub(/ssh-ed25519 .*/, key)} {print}' \
  "$here/user-data" > "$work/user-data"

"$jvirt" image pull debian-13-riscv64-cloud >/dev/null
"$jvirt" vm create "$name" --image debian-13-riscv64-cloud --memory 1G --disk 4G \
  --cloud-init "$work/user-data" --forward 8080:80 --forward 2222:22
"$jvirt" vm start "$name"
echo "== waiting for the guest agent ($(elapsed))"
until "$jvirt" vm exec "$name" -- true >/dev/null 2>&1; do sleep 5; done
echo "== cloud-init status --wait ($(elapsed))"
"$jvirt" vm exec "$name" -- cloud-init status --wait
echo "== curl http://127.0.0.1:8080/ ($(elapsed))"
curl -fsS http://127.0.0.1:8080/ | grep -i '<title>'
echo "== ssh -p 2222 admin@127.0.0.1 hostname ($(elapsed))"
ssh -i "$work/id_ed25519" -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
  -o LogLevel=ERROR admin@127.0.0.1 hostname
echo "== provisioned in $(elapsed); 'jvirt vm console $name' attaches, 'jvirt vm stop $name' stops it"
