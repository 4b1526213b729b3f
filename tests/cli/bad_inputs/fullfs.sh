#!/bin/sh
# Run a command that writes into a full file system (ENOSPC), for the
# catalogue (tests/cli/bad_inputs/outputs).  Run it in a private mount
# namespace, as root:
#   unshare -m sh fullfs.sh KB DIR [--before 'SETUP'] [--fill] -- CMD ARGS...
# Mounts a KB-sized tmpfs at DIR, runs SETUP there (the previous outputs),
# fills what is left (--fill), then runs CMD.  Afterwards, on stderr after
# CMD's own: every file SETUP made that CMD changed or removed, and every
# file CMD left behind (temporaries included).  Exits with CMD's status.
set -u
kb=$1 dir=$2
shift 2
before= fill=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	case $1 in
	--before) before=$2; shift 2 ;;
	--fill) fill=1; shift ;;
	*) echo "fullfs.sh: unknown option $1" >&2; exit 99 ;;
	esac
done
shift
mount -t tmpfs -o "size=${kb}k" corelink-fullfs "$dir" || exit 99
if [ -n "$before" ]; then
	sh -c "$before" >/dev/null 2>&1 || { echo "fullfs.sh: setup failed: $before" >&2; exit 99; }
fi
snap=$(mktemp)
(cd "$dir" && find . -type f -exec sha256sum {} + | sort) >"$snap"
[ -z "$fill" ] || cat /dev/zero >"$dir/.fill" 2>/dev/null
"$@"
rc=$?
(cd "$dir" && find . -type f ! -name .fill -exec sha256sum {} + | sort) >"$snap.after"
# previous files changed or removed, then new files
while read -r sum name; do
	grep -qxF "$sum  $name" "$snap.after" ||
		echo "fullfs.sh: previous file ${name#./} changed or removed" >&2
done <"$snap"
awk '{print $2}' "$snap" | sort >"$snap.names"
awk '{print $2}' "$snap.after" | sort | comm -13 "$snap.names" - |
	sed 's|^\./|fullfs.sh: left behind: |' >&2
rm -f "$snap" "$snap.after" "$snap.names"
exit $rc
