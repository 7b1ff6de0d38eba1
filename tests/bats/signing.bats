#!/usr/bin/env bats
# Signed objects (issue 20): tpc --sign-key writes OBJ.sig, an Ed25519
# signature of the object's bytes; tp-load --trusted-keys DIR loads only
# objects signed by one of DIR's public keys, and only from a key
# directory no one but root can change. Keys are OpenSSL's PEM files.

load helpers

setup() {
	KEYS="$BATS_TEST_TMPDIR/keys"
	mkdir -m 755 "$KEYS"
	openssl genpkey -algorithm ed25519 -out "$BATS_TEST_TMPDIR/build.pem" 2>/dev/null
	openssl pkey -in "$BATS_TEST_TMPDIR/build.pem" -pubout -out "$KEYS/build.pub"
	openssl genpkey -algorithm ed25519 -out "$BATS_TEST_TMPDIR/other.pem" 2>/dev/null
	openssl pkey -in "$BATS_TEST_TMPDIR/other.pem" -pubout -out "$BATS_TEST_TMPDIR/other.pub"
	POLICY="$BATS_TEST_TMPDIR/p.yaml"
	OBJ="$BATS_TEST_TMPDIR/p.bpf.o"
	cat >"$POLICY" <<-EOF
	apiVersion: cilium.io/v1alpha1
	kind: TracingPolicy
	metadata:
	  name: "signed"
	spec:
	  kprobes:
	  - call: "sys_openat"
	    syscall: true
	    args:
	    - index: 1
	      type: "string"
	    selectors:
	    - matchArgs:
	      - index: 1
	        operator: "Prefix"
	        values:
	        - "$BATS_TEST_TMPDIR/signed-"
	EOF
}

teardown() {
	teardown_loader
}

# key_id PUB: sha256:<hex> of the public key in DER, as sign.h defines it
key_id() {
	echo "sha256:$(openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1)"
}

# signed_compile [tpc options]: $POLICY to $OBJ, signed with build.pem
signed_compile() {
	run "$TPC" --sign-key "$BATS_TEST_TMPDIR/build.pem" "$@" "$POLICY" -o "$OBJ"
	[ "$status" -eq 0 ] || { echo "tpc: $output"; return 1; }
}

@test "tpc --sign-key writes OBJ.sig: one line naming the key, a signature openssl verifies" {
	signed_compile
	[ -f "$OBJ.sig" ]
	[ -f "$OBJ.sha256" ]
	local id
	id=$(key_id "$KEYS/build.pub")
	grep -Eqx "ed25519 key=$id sig=[A-Za-z0-9+/]{86}==" "$OBJ.sig"
	[ "$(wc -l <"$OBJ.sig")" -eq 1 ]
	# the signature of the object's bytes, checked with the standard tools
	sed -n 's/.* sig=//p' "$OBJ.sig" | base64 -d >"$BATS_TEST_TMPDIR/sig.bin"
	run openssl pkeyutl -verify -pubin -inkey "$KEYS/build.pub" -rawin -in "$OBJ" -sigfile "$BATS_TEST_TMPDIR/sig.bin"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Signature Verified Successfully"* ]]
	# Ed25519 is deterministic and the object reproducible: same bytes again
	cp "$OBJ.sig" "$BATS_TEST_TMPDIR/first.sig"
	signed_compile
	cmp "$OBJ.sig" "$BATS_TEST_TMPDIR/first.sig"
	# without --sign-key, no .sig is written (an old one is left alone)
	rm "$OBJ.sig"
	compile "$POLICY" "$OBJ"
	[ ! -e "$OBJ.sig" ]
}

@test "tpc --sign-key refuses what is not an unencrypted Ed25519 private key, before compiling (exit 2)" {
	run "$TPC" --sign-key "$KEYS/build.pub" "$POLICY" -o "$OBJ"
	[ "$status" -eq 2 ]
	[ "$output" = "tpc: --sign-key $KEYS/build.pub: not an unencrypted private key in PEM form (make one with: openssl genpkey -algorithm ed25519 -out KEY.pem)" ]
	run "$TPC" --sign-key "$BATS_TEST_TMPDIR/none.pem" "$POLICY" -o "$OBJ"
	[ "$status" -eq 2 ]
	[ "$output" = "tpc: --sign-key $BATS_TEST_TMPDIR/none.pem: cannot read it: No such file or directory (make one with: openssl genpkey -algorithm ed25519 -out KEY.pem)" ]
	openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$BATS_TEST_TMPDIR/ec.pem" 2>/dev/null
	run "$TPC" --sign-key "$BATS_TEST_TMPDIR/ec.pem" "$POLICY" -o "$OBJ"
	[ "$status" -eq 2 ]
	[ "$output" = "tpc: --sign-key $BATS_TEST_TMPDIR/ec.pem: a key of type EC, not Ed25519 (make one with: openssl genpkey -algorithm ed25519 -out KEY.pem)" ]
	openssl genpkey -algorithm ed25519 -aes256 -pass pass:secret -out "$BATS_TEST_TMPDIR/enc.pem" 2>/dev/null
	run "$TPC" --sign-key "$BATS_TEST_TMPDIR/enc.pem" "$POLICY" -o "$OBJ" </dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"not an unencrypted private key in PEM form"* ]]
	run "$TPC" lint --sign-key "$BATS_TEST_TMPDIR/build.pem" "$POLICY"
	[ "$status" -eq 2 ]
	[ ! -e "$OBJ" ]
	[ ! -e "$OBJ.sha256" ]
	[ ! -e "$OBJ.sig" ]
	# a .sig destination that is not a regular file is refused like the object's
	mkdir "$OBJ.sig"
	run "$TPC" --sign-key "$BATS_TEST_TMPDIR/build.pem" "$POLICY" -o "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tpc: cannot write $OBJ.sig: it is a directory; tpc replaces only regular files" ]
	[ ! -e "$OBJ" ]
}

@test "tp-load --trusted-keys runs an object signed by a trusted key" {
	require_root
	signed_compile
	start_loader --trusted-keys "$KEYS" "$OBJ"
	cat "$BATS_TEST_TMPDIR/signed-x" 2>/dev/null || true
	stop_loader
	[ "$(count_events '.process_kprobe.args[0].string_arg == "'"$BATS_TEST_TMPDIR/signed-x"'"')" -ge 1 ]
	# and so does --verify, on the same check
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 0 ]
}

@test "tp-load --trusted-keys refuses a missing .sig, a bad signature, an untrusted key and a malformed .sig, by name" {
	require_root
	signed_compile
	local id other
	id=$(key_id "$KEYS/build.pub")
	other=$(key_id "$BATS_TEST_TMPDIR/other.pub")
	local cmd
	for cmd in "--timeout 5" "--verify"; do
		# no .sig
		mv "$OBJ.sig" "$OBJ.sig.saved"
		run "$TPLOAD" --trusted-keys "$KEYS" $cmd "$OBJ"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $OBJ: refused: no signature file $OBJ.sig (--trusted-keys)" ]
		mv "$OBJ.sig.saved" "$OBJ.sig"
		# one byte of the object changed
		cp "$OBJ" "$OBJ.saved"
		printf '\x55' | dd of="$OBJ" bs=1 seek=4096 conv=notrunc 2>/dev/null
		run "$TPLOAD" --trusted-keys "$KEYS" $cmd "$OBJ"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $OBJ: refused: bad signature: $OBJ.sig does not sign these bytes with key $id ($KEYS/build.pub)" ]
		mv "$OBJ.saved" "$OBJ"
		# signed by a key that is not trusted
		cp "$OBJ.sig" "$OBJ.sig.saved"
		"$TPC" --sign-key "$BATS_TEST_TMPDIR/other.pem" "$POLICY" -o "$OBJ"
		run "$TPLOAD" --trusted-keys "$KEYS" $cmd "$OBJ"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $OBJ: refused: $OBJ.sig is signed by key $other, which is not in --trusted-keys $KEYS" ]
		# an untrusted signature that names a trusted key is a bad signature
		sed "s/key=[^ ]*/key=$id/" "$OBJ.sig" >"$OBJ.sig.forged"
		mv "$OBJ.sig.forged" "$OBJ.sig"
		run "$TPLOAD" --trusted-keys "$KEYS" $cmd "$OBJ"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $OBJ: refused: bad signature: $OBJ.sig does not sign these bytes with key $id ($KEYS/build.pub)" ]
		mv "$OBJ.sig.saved" "$OBJ.sig"
		# not a signature line; a FIFO is not opened for reading
		cp "$OBJ.sig" "$OBJ.sig.saved"
		echo "$(cut -d' ' -f1 "$OBJ.sha256")  p.bpf.o" >"$OBJ.sig"
		run "$TPLOAD" --trusted-keys "$KEYS" $cmd "$OBJ"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $OBJ: refused: $OBJ.sig is not a tpc signature (one line: ed25519 key=sha256:<hex> sig=<base64>)" ]
		rm "$OBJ.sig"
		mkfifo "$OBJ.sig"
		run timeout 20 "$TPLOAD" --trusted-keys "$KEYS" $cmd "$OBJ"
		[ "$status" -eq 1 ]
		[ "$output" = "tp-load: $OBJ: refused: $OBJ.sig is not a regular file" ]
		rm "$OBJ.sig"
		mv "$OBJ.sig.saved" "$OBJ.sig"
	done
	# with the other key trusted too, the object signed by it loads
	cp "$BATS_TEST_TMPDIR/other.pub" "$KEYS/"
	"$TPC" --sign-key "$BATS_TEST_TMPDIR/other.pem" "$POLICY" -o "$OBJ"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 0 ]
}

@test "tp-load --trusted-keys refuses a key directory or key that someone but root could change, and one with no keys" {
	require_root
	signed_compile
	chmod 777 "$KEYS"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $KEYS: refused: writable by group or others (mode 0777)" ]
	chmod 775 "$KEYS"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $KEYS: refused: writable by group or others (mode 0775)" ]
	chmod 755 "$KEYS"
	chown nobody "$KEYS"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $KEYS: refused: owned by uid $(id -u nobody), not root" ]
	chown root "$KEYS"
	# the keys themselves
	chmod 666 "$KEYS/build.pub"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $KEYS: refused: build.pub is writable by group or others (mode 0666)" ]
	chmod 644 "$KEYS/build.pub"
	chown nobody "$KEYS/build.pub"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $KEYS: refused: build.pub is owned by uid $(id -u nobody), not root" ]
	chown root "$KEYS/build.pub"
	ln -s "$BATS_TEST_TMPDIR/other.pub" "$KEYS/link.pub"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $KEYS: refused: link.pub is a symbolic link" ]
	rm "$KEYS/link.pub"
	cp "$BATS_TEST_TMPDIR/build.pem" "$KEYS/private.pub"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $KEYS: private.pub: not a public key in PEM form (make it with: openssl pkey -in KEY.pem -pubout -out private.pub)" ]
	rm "$KEYS/private.pub" "$KEYS/build.pub"
	run "$TPLOAD" --trusted-keys "$KEYS" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $KEYS: no public keys (*.pub) in it" ]
	run "$TPLOAD" --trusted-keys "$BATS_TEST_TMPDIR/none" --verify "$OBJ"
	[ "$status" -eq 1 ]
	[ "$output" = "tp-load: --trusted-keys $BATS_TEST_TMPDIR/none: No such file or directory" ]
}

@test "tp-load --dir --trusted-keys attaches the signed object and refuses the unsigned one" {
	require_root
	local dir="$BATS_TEST_TMPDIR/policies"
	mkdir "$dir"
	signed_compile
	cp "$OBJ" "$OBJ.sha256" "$OBJ.sig" "$dir/"
	sed 's/name: "signed"/name: "unsigned"/' "$POLICY" >"$BATS_TEST_TMPDIR/u.yaml"
	compile "$BATS_TEST_TMPDIR/u.yaml" "$dir/u.bpf.o"
	start_loader --trusted-keys "$KEYS" --dir "$dir"
	grep -qx "tp-load: $dir/u.bpf.o: refused: no signature file $dir/u.bpf.o.sig (--trusted-keys)" "$LOADER_ERR"
	cat "$BATS_TEST_TMPDIR/signed-y" 2>/dev/null || true
	stop_loader
	[ "$(count_events '.process_kprobe.policy_name == "signed"')" -ge 1 ]
	[ "$(count_events '.process_kprobe.policy_name == "unsigned"')" -eq 0 ]
}
