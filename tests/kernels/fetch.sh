#!/usr/bin/env bash
# tests/kernels/fetch.sh CACHE NAME...: fetches Debian's stock kernels for
# the kernel matrix and prints, for each NAME, "NAME DIR" where DIR holds
# the kernel's vmlinuz and config. NAME is
#   6.1    linux-image-amd64 of bookworm (with its security updates)
#   6.12   the newest linux-image-6.12.*-amd64 of bookworm-backports
# A kernel that cannot be fetched prints "NAME - reason" instead (exit 0:
# the caller reports it as skipped).
#
# apt runs with a private configuration under CACHE (its own sources list,
# package lists and archive cache): the machine's sources, preferences and
# default package choices are left as they are. The mirror is the one the
# machine's own sources name for Debian. Downloaded packages are kept, so a
# second run needs no network.
set -uo pipefail

mkdir -p "$1" && cache=$(cd "$1" && pwd) || exit 1
shift
apt_dir="$cache/apt"
deb_dir="$cache/debs"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$deb_dir"

APT_OPTS=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	  -o "Dir::Etc::SourceParts=$apt_dir/parts"
	  -o "Dir::Etc::PreferencesParts=$apt_dir/parts"
	  -o "Dir::Etc::Preferences=$apt_dir/preferences"
	  -o "Dir::State::Lists=$apt_dir/lists"
	  -o "Dir::Cache=$apt_dir" -o "Dir::Cache::archives=$apt_dir/archives"
	  -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# mirror LABEL: the URI of the machine's Debian source with that label
# (Debian, Debian-Security), from apt's own view of its sources
mirror() {
	apt-get indextargets --format '$(REPO_URI) $(ORIGIN) $(LABEL) $(RELEASE)' 2>/dev/null |
		awk -v l="$1" '$2 == "Debian" && $3 == l && $4 !~ /-(updates|backports|proposed-updates)$/ { print $1; exit }'
}

# write_sources: bookworm, its security updates and bookworm-backports
# from the machine's mirrors; fails when the machine names none
write_sources() {
	local main sec
	main=$(mirror Debian)
	sec=$(mirror Debian-Security)
	[ -n "$main" ] || { why="the machine's apt sources name no Debian archive"; return 1; }
	[ -r "$KEYRING" ] || { why="$KEYRING is missing (debian-archive-keyring)"; return 1; }
	{
		echo "deb [signed-by=$KEYRING] $main bookworm main"
		echo "deb [signed-by=$KEYRING] $main bookworm-backports main"
		[ -z "$sec" ] || echo "deb [signed-by=$KEYRING] $sec bookworm-security main"
	} >"$apt_dir/sources.list"
	: >"$apt_dir/preferences"
}

updated= update_failed=
# update: once per run, refreshes the private package lists (a failure
# is remembered: without network, the next kernel need not wait again)
update() {
	[ -z "$updated" ] || return 0
	[ -z "$update_failed" ] || { why=$update_failed; return 1; }
	write_sources || { update_failed=$why; return 1; }
	if ! apt-get "${APT_OPTS[@]}" -qq update >"$apt_dir/update.log" 2>&1 ||
		grep -q '^[WE]:' "$apt_dir/update.log"; then
		why="apt-get update failed: $(grep -m1 '^[WE]:' "$apt_dir/update.log" || tail -1 "$apt_dir/update.log")"
		update_failed=$why
		return 1
	fi
	updated=1
}

# package NAME: the binary package (with its version) that holds the kernel
package() {
	local meta_ver pkg
	case $1 in
	6.1)
		# the metapackage of bookworm (backports are not automatic, so
		# the candidate is bookworm's) depends on the versioned image
		pkg=$(apt-cache "${APT_OPTS[@]}" depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -1)
		;;
	6.12)
		pkg=$(apt-cache "${APT_OPTS[@]}" pkgnames linux-image-6.12. 2>/dev/null |
			grep -E '^linux-image-6\.12\.[0-9]+\+deb12(\.[0-9]+)?-amd64$' | sort -V | tail -1)
		;;
	*) why="unknown kernel $1"; return 1 ;;
	esac
	[ -n "$pkg" ] || { why="no $1 kernel package in the Debian archive's lists"; return 1; }
	echo "$pkg"
}

# fetch NAME: sets dir to the unpacked kernel, fetching it when needed
fetch() {
	local name=$1 pkg deb
	dir="$cache/$name"
	# a kernel unpacked before is used as it is: no network needed
	if [ -s "$dir/vmlinuz" ] && [ -s "$dir/config" ]; then
		return 0
	fi
	update || return 1
	pkg=$(package "$name") || return 1
	deb=$(ls "$deb_dir/${pkg}_"*.deb 2>/dev/null | tail -1)
	if [ -z "$deb" ]; then
		if ! (cd "$deb_dir" && apt-get "${APT_OPTS[@]}" -qq download "$pkg") >"$apt_dir/download.log" 2>&1; then
			why="apt-get download $pkg failed: $(tail -1 "$apt_dir/download.log")"
			return 1
		fi
		deb=$(ls "$deb_dir/${pkg}_"*.deb 2>/dev/null | tail -1)
	fi
	[ -n "$deb" ] || { why="apt-get download $pkg left no package"; return 1; }
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" --wildcards './boot/vmlinuz-*' './boot/config-*'; then
		why="cannot unpack $deb"
		return 1
	fi
	mv "$dir.tmp"/boot/vmlinuz-* "$dir.tmp/vmlinuz"
	mv "$dir.tmp"/boot/config-* "$dir.tmp/config"
	rm -rf "$dir.tmp/boot" "$dir"
	basename "$deb" >"$dir.tmp/package"
	mv "$dir.tmp" "$dir"
}

for name in "$@"; do
	why=
	if fetch "$name"; then
		echo "$name $dir"
	else
		echo "$name - $why"
	fi
done
exit 0
