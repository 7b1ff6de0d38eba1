#!/bin/sh
# policies-configmap.sh DIR [NAME [NAMESPACE]]: prints a ConfigMap (YAML)
# holding every OBJ.bpf.o of DIR (binaryData, base64) and its
# OBJ.bpf.o.sha256 (data), for the tp-load DaemonSet (tp-load.yaml).
# Needs no cluster and no kubectl: base64(1) from coreutils. A ConfigMap
# holds at most 1 MiB; a compiled policy is a few tens of KiB.
set -eu
dir=${1:?usage: policies-configmap.sh DIR [NAME [NAMESPACE]]}
name=${2:-tpc-policies}
namespace=${3:-tpc}

found=0
for obj in "$dir"/*.bpf.o; do
	[ -f "$obj" ] && found=1
done
if [ "$found" = 0 ]; then
	echo "policies-configmap.sh: no *.bpf.o in $dir" >&2
	exit 1
fi

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\n' "$name" "$namespace"
printf '  labels:\n    app.kubernetes.io/name: tp-load\n'
printf 'binaryData:\n'
for obj in "$dir"/*.bpf.o; do
	printf '  %s: %s\n' "$(basename "$obj")" "$(base64 -w0 "$obj")"
done
printf 'data:\n'
for obj in "$dir"/*.bpf.o; do
	if [ ! -f "$obj.sha256" ]; then
		echo "policies-configmap.sh: $obj.sha256 is missing (tpc writes it; tp-load --require-digest needs it)" >&2
		exit 1
	fi
	printf '  %s.sha256: "%s"\n' "$(basename "$obj")" "$(cat "$obj.sha256")"
done
