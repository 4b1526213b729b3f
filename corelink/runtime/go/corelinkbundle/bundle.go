// SPDX-License-Identifier: MIT

// Package corelinkbundle reads corelink bundles (corelink/runtime/BUNDLE_FORMAT.md) with the
// Go standard library only: open the bytes (embedded with go:embed, or read from a file),
// select the object for this host and rebuild it for a loader such as cilium/ebpf
// (ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))).
//
// It checks what the C runtime checks: header, section table, every checksum, every
// reference and range before use, every delta op, site and patch, and the rebuilt bytes'
// hash. A damaged bundle gives an error, never a panic or a wrong object.
package corelinkbundle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"strings"
	"syscall"
)

const (
	magic       = "CLBUNDLE"
	version     = 2
	headerLen   = 32
	sectionLen  = 24
	nrSections  = 5
	objectLen   = 64
	artifactLen = 32
	kernelsHead = 16
	groupLen    = 16
	noteLen     = 12
	maxRelease  = 255
	none        = 0xffffffff

	encDelta = 1
	encPatch = 2
)

// Status of one object on one kernel, as the manifest has it.
type Status int

const (
	OK       Status = 0 // every CO-RE relocation applied
	Guarded  Status = 1 // poisoned, every poison guarded
	Poisoned Status = 2 // some poison may be reached
	Error    Status = 3 // no artifact
	Skipped  Status = 4 // no artifact: the object is built for another arch
)

func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Guarded:
		return "guarded"
	case Poisoned:
		return "poisoned"
	case Error:
		return "error"
	case Skipped:
		return "skipped"
	}
	return "?"
}

// How the object was chosen.
type How int

const (
	NoMatch     How = 0
	Exact       How = 1 // a kernel of the bundle: its pre-relocated artifact
	FallbackBTF How = 2 // not in the bundle, the host has kernel BTF: the original CO-RE object
)

func (h How) String() string {
	switch h {
	case Exact:
		return "exact"
	case FallbackBTF:
		return "fallback-btf"
	}
	return "no-match"
}

// Bundle is an opened, checked bundle; it refers to the bytes given to Open.
type Bundle struct {
	data                  []byte
	strs, objs, arts, dat []byte
	nObj, nArt            int
	kernels               []Kernel
	codes                 [][]uint32        // per object, per kernel: the entry code
	notes                 map[[2]int]uint32 // (kernel, object): the note's value
}

// Kernel is one row of the kernel table.
type Kernel struct {
	Distro, Version, Arch, Release string
	BTFHash                        uint32 // low 32 bits of the manifest's btf_hash
}

// Entry is one object on one kernel.
type Entry struct {
	Artifact  uint32 // 0xffffffff for Error and Skipped
	Status    Status
	Unguarded uint32
	Message   string
}

// Object describes one object of the bundle.
type Object struct {
	Name, Arch          string
	Base, First, NrArts uint32
	Width               uint32
	OrigOff, OrigSize   uint64
	OrigHash            uint64
	SitesOff, SitesSize uint64
}

var le = binary.LittleEndian

func u32(b []byte, off int) uint32 { return le.Uint32(b[off:]) }
func u64(b []byte, off int) uint64 { return le.Uint64(b[off:]) }

func errf(format string, a ...interface{}) error { return fmt.Errorf(format, a...) }

// Open checks data and returns a Bundle that refers to it (no copy).
func Open(data []byte) (*Bundle, error) {
	b := &Bundle{data: data}
	if len(data) < 16 || string(data[:8]) != magic {
		return nil, errors.New("not a corelink bundle (bad magic)")
	}
	if v := u32(data, 8); v != version {
		return nil, errf("bundle version %d not supported (this reader reads %d)", v, version)
	}
	if h := u32(data, 12); h != headerLen {
		return nil, errf("bundle header length %d, expected %d", h, headerLen)
	}
	tableEnd := headerLen + nrSections*sectionLen
	if len(data) < tableEnd {
		return nil, errf("bundle truncated: %d bytes, shorter than its header and section table", len(data))
	}
	head := make([]byte, tableEnd)
	copy(head, data[:tableEnd])
	for i := 24; i < 32; i++ {
		head[i] = 0
	}
	if XXH64(head, 0) != u64(data, 24) {
		return nil, errors.New("bundle header checksum mismatch")
	}
	if fs := u64(data, 16); fs != uint64(len(data)) {
		return nil, errf("bundle truncated or extended: %d bytes, header says %d", len(data), fs)
	}
	names := []string{"?", "STRINGS", "OBJECTS", "ARTIFACTS", "KERNELS", "DATA"}
	prevEnd := uint64(tableEnd)
	secs := make([][]byte, nrSections+1)
	for i := 0; i < nrSections; i++ {
		e := data[headerLen+i*sectionLen:]
		id, off, size := i+1, u64(e, 0), u64(e, 8)
		if off%8 != 0 || off < prevEnd || off > uint64(len(data)) || size > uint64(len(data))-off {
			return nil, errf("bundle section %s: offset %d size %d outside the file or overlapping", names[id], off, size)
		}
		s := data[off : off+size]
		if XXH64(s, 0) != u64(e, 16) {
			return nil, errf("bundle section %s checksum mismatch", names[id])
		}
		secs[id] = s
		prevEnd = off + size
	}
	b.strs, b.objs, b.arts, b.dat = secs[1], secs[2], secs[3], secs[5]
	if err := b.checkTables(); err != nil {
		return nil, err
	}
	if err := b.readKernels(secs[4]); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Bundle) str(off uint32) (string, bool) {
	if uint64(off) >= uint64(len(b.strs)) {
		return "", false
	}
	i := bytes.IndexByte(b.strs[off:], 0)
	if i < 0 {
		return "", false
	}
	return string(b.strs[off : int(off)+i]), true
}

func (b *Bundle) dataOK(off, size uint64) bool {
	n := uint64(len(b.dat))
	return off <= n && size <= n-off
}

// sites walks an object's site list: next() gives each site inside size bytes.
type sites struct {
	d          []byte
	p          int
	nr, i, pos uint64
}

func newSites(d []byte) (*sites, bool) {
	w := &sites{d: d}
	nr, ok := uvarint(d, &w.p)
	w.nr = nr
	return w, ok && nr <= uint64(len(d))
}

// next: 1 a site, 0 after the last (the list must end there), -1 damaged.
func (w *sites) next(size uint64) (off, n uint64, r int) {
	if w.i == w.nr {
		if w.p == len(w.d) {
			return 0, 0, 0
		}
		return 0, 0, -1
	}
	gap, ok1 := uvarint(w.d, &w.p)
	n, ok2 := uvarint(w.d, &w.p)
	if !ok1 || !ok2 || n == 0 || gap > size-w.pos || n > size-w.pos-gap {
		return 0, 0, -1
	}
	off = w.pos + gap
	w.pos = off + n
	w.i++
	return off, n, 1
}

func (b *Bundle) checkTables() error {
	if len(b.strs) == 0 || b.strs[0] != 0 {
		return errors.New(`bundle string table does not start with ""`)
	}
	if len(b.objs)%objectLen != 0 || len(b.objs)/objectLen > 0xfffe {
		return errf("bundle OBJECTS size %d is not a whole number of records", len(b.objs))
	}
	b.nObj = len(b.objs) / objectLen
	if len(b.arts)%artifactLen != 0 {
		return errf("bundle ARTIFACTS size %d is not a whole number of records", len(b.arts))
	}
	b.nArt = len(b.arts) / artifactLen
	for i := 0; i < b.nObj; i++ {
		o := b.object(i)
		_, okName := b.str(u32(b.objs, i*objectLen))
		_, okArch := b.str(u32(b.objs, i*objectLen+4))
		nArt := uint64(b.nArt)
		if !okName || !okArch || !b.dataOK(o.OrigOff, o.OrigSize) || uint64(o.First) > nArt ||
			uint64(o.NrArts) > nArt-uint64(o.First) || (o.Width != 1 && o.Width != 2 && o.Width != 4) {
			return errf("bundle object %d: bad record", i)
		}
		if o.NrArts > 0 {
			if o.Base < o.First || o.Base-o.First >= o.NrArts {
				return errf("bundle object %d: bad record", i)
			}
			if le.Uint16(b.arts[int(o.Base)*artifactLen+4:]) != encDelta {
				return errf("bundle object %d: base artifact %d is not a delta", i, o.Base)
			}
		} else if o.Base != none {
			return errf("bundle object %d: bad record", i)
		}
	}
	for i := 0; i < b.nArt; i++ {
		r := b.arts[i*artifactLen:]
		obj, enc := u32(r, 0), uint32(le.Uint16(r[4:]))
		if uint64(obj) >= uint64(b.nObj) || !b.dataOK(u64(r, 16), uint64(u32(r, 12))) || (enc != encDelta && enc != encPatch) {
			return errf("bundle artifact %d: bad record", i)
		}
		o := b.object(int(obj))
		if uint32(i) < o.First || uint32(i)-o.First >= o.NrArts {
			return errf("bundle artifact %d: not among its object's artifacts", i)
		}
		if enc == encPatch && u32(r, 8) != u32(b.arts, int(o.Base)*artifactLen+8) {
			return errf("bundle artifact %d: patch size differs from its base", i)
		}
	}
	for i := 0; i < b.nObj; i++ {
		o := b.object(i)
		if !b.dataOK(o.SitesOff, o.SitesSize) {
			return errf("bundle object %d: bad record", i)
		}
		if o.SitesSize == 0 {
			continue
		}
		size := uint64(0)
		if o.NrArts > 0 {
			size = uint64(u32(b.arts, int(o.Base)*artifactLen+8))
		}
		w, ok := newSites(b.dat[o.SitesOff : o.SitesOff+o.SitesSize])
		if !ok {
			return errf("bundle object %d: site list truncated", i)
		}
		r := 1
		for r == 1 {
			_, _, r = w.next(size)
		}
		if r != 0 {
			return errf("bundle object %d: site %d truncated or past its base's %d bytes", i, w.i, size)
		}
	}
	return nil
}

// readKernels checks and decodes the kernel table (KERNELS).
func (b *Bundle) readKernels(s []byte) error {
	if len(s) < kernelsHead {
		return errors.New("bundle KERNELS section truncated")
	}
	nk, ng, nn, rs := uint64(u32(s, 0)), uint64(u32(s, 4)), uint64(u32(s, 8)), uint64(u32(s, 12))
	need := kernelsHead + 4*nk + groupLen*ng + noteLen*nn + rs
	for j := 0; j < b.nObj; j++ {
		need += uint64(b.object(j).Width) * nk
	}
	if need != uint64(len(s)) {
		return errf("bundle KERNELS section is %d bytes, its columns %d", len(s), need)
	}
	hashes := s[kernelsHead:]
	groups := hashes[4*nk:]
	notes := groups[groupLen*ng:]
	rest := notes[noteLen*nn:]
	b.kernels = make([]Kernel, nk)
	k := uint64(0)
	for g := uint64(0); g < ng; g++ {
		r := groups[g*groupLen:]
		d, ok1 := b.str(u32(r, 0))
		v, ok2 := b.str(u32(r, 4))
		a, ok3 := b.str(u32(r, 8))
		if !ok1 || !ok2 || !ok3 {
			return errf("bundle kernel group %d: bad string reference", g)
		}
		cnt := uint64(u32(r, 12))
		if cnt == 0 || cnt > nk-k {
			return errf("bundle kernel group %d: %d kernels, past the table", g, cnt)
		}
		for i := uint64(0); i < cnt; i++ {
			b.kernels[k+i] = Kernel{Distro: d, Version: v, Arch: a, BTFHash: u32(hashes, int(4*(k+i)))}
		}
		k += cnt
	}
	if k != nk {
		return errf("bundle kernel groups hold %d kernels, the table %d", k, nk)
	}
	b.notes = make(map[[2]int]uint32, nn)
	for i := uint64(0); i < nn; i++ {
		r := notes[i*noteLen:]
		kk, oo := u32(r, 0), u32(r, 4)
		if uint64(kk) >= nk || int(oo) >= b.nObj {
			return errf("bundle note %d: out of range or out of order", i)
		}
		if i > 0 {
			pk, po := u32(r, -12), u32(r, -8)
			if kk < pk || (kk == pk && oo <= po) {
				return errf("bundle note %d: out of range or out of order", i)
			}
		}
		b.notes[[2]int{int(kk), int(oo)}] = u32(r, 8)
	}
	b.codes = make([][]uint32, b.nObj)
	off := uint64(0)
	for j := 0; j < b.nObj; j++ {
		o := b.object(j)
		w := uint64(o.Width)
		b.codes[j] = make([]uint32, nk)
		for i := uint64(0); i < nk; i++ {
			p := rest[off+i*w:]
			var code uint32
			switch w {
			case 1:
				code = uint32(p[0])
			case 2:
				code = uint32(le.Uint16(p))
			default:
				code = u32(p, 0)
			}
			st, v := code&3, code>>2
			if (st == 3 && v > 1) || (st != 3 && v >= o.NrArts) {
				return errf("bundle kernel %d object %d: bad entry", i, j)
			}
			note, noted := b.notes[[2]int{int(i), j}]
			// ERROR: always; POISONED: may override its artifact's count; others: never
			if (st == 3 && v == 0 && !noted) || (noted && !(st == 3 && v == 0) && st != uint32(Poisoned)) {
				what := "missing"
				if noted {
					what = "unexpected"
				}
				return errf("bundle kernel %d object %d: %s note", i, j, what)
			}
			if noted && st == 3 {
				if _, ok := b.str(note); !ok {
					return errf("bundle note: bad string reference")
				}
			}
			b.codes[j][i] = code
		}
		off += w * nk
	}
	// releases, front and back coded
	r, prev := rest[off:], ""
	for i := uint64(0); i < nk; i++ {
		if len(r) < 3 || int(r[0])+int(r[1]) > len(prev) || int(r[2]) > len(r)-3 {
			return errf("bundle kernel %d: release truncated or past the previous one", i)
		}
		mid := r[3 : 3+int(r[2])]
		n := int(r[0]) + int(r[1]) + len(mid)
		if n > maxRelease || bytes.IndexByte(mid, 0) >= 0 {
			return errf("bundle kernel %d: bad release", i)
		}
		rel := prev[:r[0]] + string(mid) + prev[len(prev)-int(r[1]):]
		b.kernels[i].Release = rel
		prev = rel
		r = r[3+len(mid):]
	}
	if len(r) != 0 {
		return errf("bundle: %d bytes after the last release", len(r))
	}
	return nil
}

func (b *Bundle) object(i int) Object {
	r := b.objs[i*objectLen:]
	name, _ := b.str(u32(r, 0))
	arch, _ := b.str(u32(r, 4))
	return Object{Name: name, Arch: arch, Base: u32(r, 8), First: u32(r, 12), NrArts: u32(r, 16),
		Width: u32(r, 20), OrigOff: u64(r, 24), OrigSize: u64(r, 32), OrigHash: u64(r, 40),
		SitesOff: u64(r, 48), SitesSize: u64(r, 56)}
}

// NumObjects, NumKernels, NumArtifacts: table sizes.
func (b *Bundle) NumObjects() int   { return b.nObj }
func (b *Bundle) NumKernels() int   { return len(b.kernels) }
func (b *Bundle) NumArtifacts() int { return b.nArt }

// Object i (0 <= i < NumObjects()).
func (b *Bundle) Object(i int) Object { return b.object(i) }

// Kernel i (0 <= i < NumKernels()).
func (b *Bundle) Kernel(i int) Kernel { return b.kernels[i] }

// Entry of object obj on kernel k.
func (b *Bundle) Entry(k, obj int) Entry {
	code := b.codes[obj][k]
	e := Entry{Artifact: none}
	if code&3 == 3 {
		if code>>2 != 0 {
			e.Status = Skipped
		} else {
			e.Status = Error
			e.Message, _ = b.str(b.notes[[2]int{k, obj}])
		}
		return e
	}
	e.Status = Status(code & 3)
	e.Artifact = b.object(obj).First + code>>2
	if e.Status == Poisoned {
		if v, ok := b.notes[[2]int{k, obj}]; ok {
			e.Unguarded = v
		} else {
			e.Unguarded = uint32(le.Uint16(b.arts[int(e.Artifact)*artifactLen+6:]))
		}
	}
	return e
}

// FindObject: the object named name (exactly, or without ".o" / ".bpf.o"; "" = the bundle's
// only name) built for arch (an object of arch "" fits every arch; "" = any arch).
func (b *Bundle) FindObject(name, arch string) (int, error) {
	if b.nObj == 0 {
		return -1, errors.New("the bundle holds no object")
	}
	if name == "" {
		name = b.object(0).Name
		for i := 1; i < b.nObj; i++ {
			if b.object(i).Name != name {
				return -1, errors.New("the bundle holds several objects: name one")
			}
		}
	}
	first, nr := "", 0
	for exact := 1; exact >= 0 && nr == 0; exact-- {
		first = ""
		for i := 0; i < b.nObj; i++ {
			n := b.object(i).Name
			if (exact == 1 && n != name) || (exact == 0 && n != name+".o" && n != name+".bpf.o") {
				continue
			}
			if first != "" && first != n {
				return -1, errf("object '%s' is ambiguous", name)
			}
			first = n
			nr++
		}
	}
	if nr == 0 {
		return -1, errf("no object '%s' in the bundle", name)
	}
	var builds []string
	found, fits := -1, 0
	for i := 0; i < b.nObj; i++ {
		o := b.object(i)
		if o.Name != first {
			continue
		}
		a := o.Arch
		if a == "" {
			a = "any"
		}
		builds = append(builds, a)
		if arch != "" && !archMatch(o.Arch, arch) {
			continue
		}
		fits++
		found = i
	}
	if fits == 0 {
		return -1, errf("object '%s' has no build for arch %s in the bundle (built for %s)", first, arch, strings.Join(builds, ", "))
	}
	if fits > 1 {
		return -1, errf("object '%s' has a build for each of %s: give the arch", first, strings.Join(builds, ", "))
	}
	return found, nil
}

// Query says what to select for; empty fields are this host's.
type Query struct {
	Object     string
	Release    string // uname -r
	Arch       string // uname -m
	Distro     string // os-release ID
	Version    string // os-release VERSION_ID
	OSRelease  string // "" = /etc/os-release, then /usr/lib/os-release
	BTFPath    string // "" = /sys/kernel/btf/vmlinux
	NoFallback bool   // never fall back to the original object
}

// Choice is the result of Select.
type Choice struct {
	How                            How
	Object                         int
	Kernel                         int // Exact: kernel index; else -1
	Artifact                       uint32
	Size                           uint64
	Status                         Status
	Unguarded                      uint32
	Nearest                        []int // NoMatch: closest kernels
	Release, Arch, Distro, Version string
}

func cstr(b []int8) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

func osRelease(path string) (id, ver string) {
	var text []byte
	var err error
	if path != "" {
		text, err = os.ReadFile(path)
	} else if text, err = os.ReadFile("/etc/os-release"); err != nil {
		text, err = os.ReadFile("/usr/lib/os-release")
	}
	if err != nil {
		return "", ""
	}
	for _, line := range strings.Split(string(text), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			id = v
		case "VERSION_ID":
			ver = v
		}
	}
	return id, ver
}

func archCanon(a string) string {
	switch a {
	case "amd64", "x86-64", "x86":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "armv7l", "armhf":
		return "arm"
	}
	return a
}

func archMatch(kernel, query string) bool {
	return query == "" || kernel == "" || archCanon(kernel) == archCanon(query)
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// Select chooses the object's bytes for q, with the C runtime's rules (BUNDLE_FORMAT.md).
func (b *Bundle) Select(q Query) (Choice, error) {
	c := Choice{Kernel: -1, Artifact: none}
	c.Release, c.Arch, c.Distro, c.Version = q.Release, q.Arch, q.Distro, q.Version
	if c.Release == "" || c.Arch == "" {
		var u syscall.Utsname
		if err := syscall.Uname(&u); err != nil {
			return c, errf("uname: %v", err)
		}
		if c.Release == "" {
			c.Release = cstr(u.Release[:])
		}
		if c.Arch == "" {
			c.Arch = cstr(u.Machine[:])
		}
	}
	if c.Distro == "" || c.Version == "" {
		id, ver := osRelease(q.OSRelease)
		if c.Distro == "" {
			c.Distro = id
		}
		if c.Version == "" {
			c.Version = ver
		}
	}
	btf := q.BTFPath
	if btf == "" {
		btf = "/sys/kernel/btf/vmlinux"
	}
	obj, err := b.FindObject(q.Object, c.Arch)
	if err != nil {
		return c, err
	}
	c.Object = obj
	var cand []int
	for i := range b.kernels {
		k := b.Kernel(i)
		if k.Release == c.Release && archMatch(k.Arch, c.Arch) && b.Entry(i, obj).Status != Skipped {
			cand = append(cand, i)
		}
	}
	for pass := 0; pass < 2 && len(cand) > 1; pass++ {
		var keep []int
		for _, i := range cand {
			k := b.Kernel(i)
			if (pass == 0 && k.Distro == c.Distro) || (pass == 1 && k.Version == c.Version) {
				keep = append(keep, i)
			}
		}
		if len(keep) > 0 {
			cand = keep
		}
	}
	if len(cand) == 0 {
		if !q.NoFallback {
			if st, err := os.Stat(btf); err == nil && st.Size() > 0 {
				c.How = FallbackBTF
				c.Size = b.object(obj).OrigSize
				return c, nil
			}
		}
		c.Nearest = b.nearest(c)
		var list []string
		for _, i := range c.Nearest {
			k := b.Kernel(i)
			list = append(list, k.Distro+"/"+k.Version+"/"+k.Arch+"/"+k.Release)
		}
		where := btf
		if q.NoFallback {
			where = "(fallback disabled)"
		}
		near := "none"
		if len(list) > 0 {
			near = strings.Join(list, ", ")
		}
		return c, errf("no kernel %s (%s) in the bundle and no kernel BTF at %s; nearest: %s", c.Release, c.Arch, where, near)
	}
	first := b.Entry(cand[0], obj)
	for _, i := range cand[1:] {
		if b.Entry(i, obj).Artifact != first.Artifact {
			k1, k2 := b.Kernel(cand[0]), b.Kernel(i)
			return c, errf("kernel %s matches %s/%s and %s/%s with different objects: set the distro and version",
				c.Release, k1.Distro, k1.Version, k2.Distro, k2.Version)
		}
	}
	c.Kernel, c.Status, c.Unguarded = cand[0], first.Status, first.Unguarded
	if first.Status == Error {
		return c, errf("object failed on kernel %s: %s", c.Release, first.Message)
	}
	c.How = Exact
	c.Artifact = first.Artifact
	c.Size = uint64(u32(b.arts, int(first.Artifact)*artifactLen+8))
	return c, nil
}

func (b *Bundle) nearest(c Choice) []int {
	type kv struct{ i, n int }
	for pass := 0; pass < 2; pass++ {
		var best []kv
		for i := range b.kernels {
			k := b.Kernel(i)
			if !archMatch(k.Arch, c.Arch) {
				continue
			}
			if pass == 0 && (k.Distro != c.Distro || k.Version != c.Version) {
				continue
			}
			n := commonPrefix(k.Release, c.Release)
			j := 0
			for j < len(best) && best[j].n >= n {
				j++
			}
			if j >= 3 {
				continue
			}
			best = append(best[:j], append([]kv{{i, n}}, best[j:]...)...)
			if len(best) > 3 {
				best = best[:3]
			}
		}
		if len(best) > 0 {
			out := make([]int, len(best))
			for j, e := range best {
				out[j] = e.i
			}
			return out
		}
	}
	return nil
}

// Materialize returns the chosen object's bytes (a new slice).
func (b *Bundle) Materialize(c Choice) ([]byte, error) {
	switch c.How {
	case Exact:
		return b.MaterializeArtifact(c.Object, c.Artifact)
	case FallbackBTF:
		return b.MaterializeArtifact(c.Object, none)
	}
	return nil, errors.New("nothing selected")
}

func uvarint(d []byte, p *int) (uint64, bool) {
	var x uint64
	for shift := 0; shift < 64 && *p < len(d); shift += 7 {
		c := d[*p]
		*p++
		if shift == 63 && c > 1 {
			return 0, false
		}
		x |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return x, true
		}
	}
	return 0, false
}

func applyDelta(d, orig, out []byte, art uint32) error {
	p, pos, expect, op := 0, uint64(0), uint64(0), 0
	olen, size := uint64(len(orig)), uint64(len(out))
	for pos < size {
		v, ok := uvarint(d, &p)
		if !ok {
			return errf("artifact %d: delta op %d truncated", art, op)
		}
		n := v >> 1
		if n == 0 {
			return errf("artifact %d: delta op %d writes nothing (it would never end)", art, op)
		}
		if n > size-pos {
			return errf("artifact %d: delta op %d length %d past the end", art, op, n)
		}
		if v&1 == 1 {
			if n > uint64(len(d)-p) {
				return errf("artifact %d: delta op %d data past the end", art, op)
			}
			copy(out[pos:pos+n], d[p:p+int(n)])
			p += int(n)
		} else {
			z, ok := uvarint(d, &p)
			if !ok {
				return errf("artifact %d: delta op %d truncated", art, op)
			}
			var src uint64
			if z&1 == 1 {
				if (z>>1)+1 > expect {
					return errf("artifact %d: delta op %d copies from outside the original", art, op)
				}
				src = expect - ((z >> 1) + 1)
			} else {
				if z>>1 > olen-expect {
					return errf("artifact %d: delta op %d copies from outside the original", art, op)
				}
				src = expect + z>>1
			}
			if n > olen-src {
				return errf("artifact %d: delta op %d copies from outside the original", art, op)
			}
			copy(out[pos:pos+n], orig[src:src+n])
			expect = src + n
		}
		pos += n
		op++
	}
	if p != len(d) {
		return errf("artifact %d: %d bytes after the delta's last op", art, len(d)-p)
	}
	return nil
}

func applyPatch(d, siteList, out []byte, art uint32) error {
	w, ok := newSites(siteList)
	if !ok {
		return errf("artifact %d: its object's site list is truncated", art)
	}
	nb := (w.nr + 7) / 8
	if nb > uint64(len(d)) {
		return errf("artifact %d: patch bitmap truncated", art)
	}
	bm, p := d[:nb], d[nb:]
	if w.nr%8 != 0 && bm[nb-1]>>(w.nr%8) != 0 {
		return errf("artifact %d: patch bitmap names sites past the last", art)
	}
	size := uint64(len(out))
	for {
		off, n, r := w.next(size)
		if r < 0 {
			return errf("artifact %d: site %d truncated or past the artifact's end", art, w.i)
		}
		if r == 0 {
			break
		}
		i := w.i - 1
		if bm[i/8]>>(i%8)&1 == 0 {
			continue
		}
		if n > uint64(len(p)) {
			return errf("artifact %d: patch of site %d past the end of its data", art, i)
		}
		copy(out[off:off+n], p[:n])
		p = p[n:]
	}
	if len(p) != 0 {
		return errf("artifact %d: %d bytes after the last patched site", art, len(p))
	}
	return nil
}

// MaterializeArtifact rebuilds artifact art of object obj (art 0xffffffff: the original).
func (b *Bundle) MaterializeArtifact(obj int, art uint32) ([]byte, error) {
	if obj < 0 || obj >= b.nObj {
		return nil, errf("no object %d in the bundle", obj)
	}
	o := b.object(obj)
	orig := b.dat[o.OrigOff : o.OrigOff+o.OrigSize]
	if art == none {
		out := append([]byte(nil), orig...)
		if XXH64(out, 0) != o.OrigHash {
			return nil, errf("object %d: original's checksum mismatch", obj)
		}
		return out, nil
	}
	if uint64(art) >= uint64(b.nArt) || u32(b.arts, int(art)*artifactLen) != uint32(obj) {
		return nil, errf("no artifact %d of object %d in the bundle", art, obj)
	}
	r := b.arts[int(art)*artifactLen:]
	out := make([]byte, u32(r, 8))
	span := func(rec []byte) []byte { return b.dat[u64(rec, 16) : u64(rec, 16)+uint64(u32(rec, 12))] }
	if le.Uint16(r[4:]) == encPatch {
		base := b.arts[int(o.Base)*artifactLen:]
		if err := applyDelta(span(base), orig, out, o.Base); err != nil {
			return nil, err
		}
		if err := applyPatch(span(r), b.dat[o.SitesOff:o.SitesOff+o.SitesSize], out, art); err != nil {
			return nil, err
		}
	} else if err := applyDelta(span(r), orig, out, art); err != nil {
		return nil, err
	}
	if XXH64(out, 0) != u64(r, 24) {
		return nil, errf("artifact %d: rebuilt bytes do not match its checksum", art)
	}
	return out, nil
}

// XXH64 (the format's checksum), from the xxHash specification.
const (
	p1 uint64 = 11400714785074694791
	p2 uint64 = 14029467366897019727
	p3 uint64 = 1609587929392839161
	p4 uint64 = 9650029242287828579
	p5 uint64 = 2870177450012600261
)

func round(acc, in uint64) uint64 { return bits.RotateLeft64(acc+in*p2, 31) * p1 }
func merge(acc, v uint64) uint64  { return (acc^round(0, v))*p1 + p4 }

// XXH64 of b with seed.
func XXH64(b []byte, seed uint64) uint64 {
	n := len(b)
	var h uint64
	if n >= 32 {
		v1, v2, v3, v4 := seed+p1+p2, seed+p2, seed, seed-p1
		for len(b) >= 32 {
			v1 = round(v1, le.Uint64(b))
			v2 = round(v2, le.Uint64(b[8:]))
			v3 = round(v3, le.Uint64(b[16:]))
			v4 = round(v4, le.Uint64(b[24:]))
			b = b[32:]
		}
		h = bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) + bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
		h = merge(merge(merge(merge(h, v1), v2), v3), v4)
	} else {
		h = seed + p5
	}
	h += uint64(n)
	for ; len(b) >= 8; b = b[8:] {
		h = bits.RotateLeft64(h^round(0, le.Uint64(b)), 27)*p1 + p4
	}
	if len(b) >= 4 {
		h = bits.RotateLeft64(h^uint64(le.Uint32(b))*p1, 23)*p2 + p3
		b = b[4:]
	}
	for _, c := range b {
		h = bits.RotateLeft64(h^uint64(c)*p5, 11) * p1
	}
	h ^= h >> 33
	h *= p2
	h ^= h >> 29
	h *= p3
	h ^= h >> 32
	return h
}
