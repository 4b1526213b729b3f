# Sourced by the bundle tests: build the Go reader's bundle-dump (GOPATH mode, offline)
# into $tmp/bundle-dump-go when $go is set, and add it to the dumps array.
# Needs: go, tmp, root (the repository), here (tests/bundle), dumps, fail().
if [ -n "$go" ]; then
	gp=$tmp/gopath
	mkdir -p "$gp/src"
	ln -s "$root/corelink/runtime/go/corelinkbundle" "$gp/src/corelinkbundle"
	ln -s "$here/go/bundle-dump" "$gp/src/bundle-dump"
	GOPATH="$gp:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOCACHE="$tmp/gocache" \
		"$go" build -o "$tmp/bundle-dump-go" bundle-dump || fail "go build of the Go reader"
	dumps+=(--dump "go-reader=$tmp/bundle-dump-go")
fi
