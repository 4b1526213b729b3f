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
	magic      = "CLBUNDLE"
	version    = 3
	headerLen  = 32
	sectionLen = 16
	nrSections = 5
	noteLen    = 12
	maxRelease = 255
	none       = 0xffffffff

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
	data       []byte
	strs, dat  []byte
	nObj, nArt int
	objects    []Object
	artifacts  []artifact
	kernels    []Kernel
	codes      [][]uint32        // per object, per kernel: the entry code
	notes      map[[2]int]uint32 // (kernel, object): the note's value
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

// artifact is one artifact record, decoded (its data's offset derived).
type artifact struct {
	object, enc, unguarded        uint32
	size, dataOff, dataSize, hash uint64
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
		return nil, errf("bundle version %d not supported (this reader reads version %d): rebuild the bundle with this corelink (corelink bundle MANIFEST -o FILE)", v, version)
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
	// each section follows the previous one (the first the table), at the next multiple of 8
	for i := 0; i < nrSections; i++ {
		e := data[headerLen+i*sectionLen:]
		id, off, size := i+1, (prevEnd+7)/8*8, u64(e, 0)
		if off > uint64(len(data)) || size > uint64(len(data))-off {
			return nil, errf("bundle section %s: offset %d size %d past the end of the file", names[id], off, size)
		}
		s := data[off : off+size]
		if XXH64(s, 0) != u64(e, 8) {
			return nil, errf("bundle section %s checksum mismatch", names[id])
		}
		secs[id] = s
		prevEnd = off + size
	}
	if prevEnd != uint64(len(data)) {
		return nil, errf("bundle: %d bytes after its last section", uint64(len(data))-prevEnd)
	}
	b.strs, b.dat = secs[1], secs[5]
	if err := b.checkTables(secs[2], secs[3]); err != nil {
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

// cursor reads a table's records; the first failure sets bad and every later read fails.
type cursor struct {
	d   []byte
	p   int
	bad bool
}

// uv: a uvarint of at most max.
func (c *cursor) uv(max uint64) uint64 {
	if c.bad {
		return 0
	}
	v, ok := uvarint(c.d, &c.p)
	if !ok || v > max {
		c.bad = true
		return 0
	}
	return v
}

// take: n fixed bytes, or nil (bad set) when fewer remain.
func (c *cursor) take(n uint64) []byte {
	if c.bad || n > uint64(len(c.d)-c.p) {
		c.bad = true
		return nil
	}
	c.p += int(n)
	return c.d[c.p-int(n) : c.p]
}

func (c *cursor) u64() uint64 {
	if p := c.take(8); p != nil {
		return le.Uint64(p)
	}
	return 0
}

func (c *cursor) left() uint64 { return uint64(len(c.d) - c.p) }

// dataNext places len bytes at *pos in DATA (advancing it): false when past DATA's end.
func (b *Bundle) dataNext(pos *uint64, n uint64, off *uint64) bool {
	size := uint64(len(b.dat))
	if *pos > size || n > size-*pos {
		return false
	}
	*off = *pos
	*pos += n
	return true
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

// readObject decodes object i and its artifacts' records, placing their data in DATA from *pos.
func (b *Bundle) readObject(oc, ac *cursor, i int, first uint32, pos *uint64) error {
	o := Object{First: first, Base: none}
	name := uint32(oc.uv(0xffffffff))
	arch := uint32(oc.uv(0xffffffff))
	o.NrArts = uint32(oc.uv(uint64(b.nArt) - uint64(first)))
	o.Width = uint32(oc.uv(4))
	o.OrigSize = oc.uv(0xffffffff)
	o.SitesSize = oc.uv(0xffffffff)
	o.OrigHash = oc.u64()
	*pos = (*pos + 7) / 8 * 8
	var okName, okArch bool
	o.Name, okName = b.str(name)
	o.Arch, okArch = b.str(arch)
	if oc.bad || !okName || !okArch || (o.Width != 1 && o.Width != 2 && o.Width != 4) ||
		!b.dataNext(pos, o.OrigSize, &o.OrigOff) || !b.dataNext(pos, o.SitesSize, &o.SitesOff) ||
		(o.NrArts == 0 && o.SitesSize != 0) {
		return errf("bundle object %d: bad record", i)
	}
	if o.NrArts > 0 {
		o.Base = first
	}
	b.objects = append(b.objects, o)
	for a := first; a < first+o.NrArts; a++ {
		v := ac.uv(0xffffffff<<1 | 1)
		r := artifact{object: uint32(i), enc: encDelta, dataSize: v >> 1}
		if v&1 == 1 {
			r.enc, r.size = encPatch, b.artifacts[first].size
		} else {
			r.size = ac.uv(0xffffffff)
		}
		r.unguarded = uint32(ac.uv(0xffffffff))
		r.hash = ac.u64()
		if ac.bad || !b.dataNext(pos, r.dataSize, &r.dataOff) {
			return errf("bundle artifact %d: bad record", a)
		}
		if a == first && r.enc != encDelta {
			return errf("bundle object %d: base artifact %d is not a delta", i, a)
		}
		b.artifacts = append(b.artifacts, r)
	}
	return nil
}

func (b *Bundle) checkTables(objs, arts []byte) error {
	if len(b.strs) == 0 || b.strs[0] != 0 {
		return errors.New(`bundle string table does not start with ""`)
	}
	oc, ac := &cursor{d: objs}, &cursor{d: arts}
	// counts bounded by their records' least bytes (14 an object, 10 an artifact)
	maxObj := oc.left() / 14
	if maxObj > 0xfffe {
		maxObj = 0xfffe
	}
	b.nObj = int(oc.uv(maxObj))
	b.nArt = int(ac.uv(ac.left() / 10))
	if oc.bad || ac.bad {
		return errors.New("bundle OBJECTS or ARTIFACTS count past its section")
	}
	pos, first := uint64(0), uint32(0)
	for i := 0; i < b.nObj; i++ {
		if err := b.readObject(oc, ac, i, first, &pos); err != nil {
			return err
		}
		first += b.objects[i].NrArts
	}
	if oc.p != len(objs) || ac.p != len(arts) || int(first) != b.nArt {
		return errors.New("bundle OBJECTS or ARTIFACTS: records and counts disagree")
	}
	if pos != uint64(len(b.dat)) {
		return errf("bundle DATA is %d bytes, its objects' data %d", len(b.dat), pos)
	}
	for i, o := range b.objects {
		if o.SitesSize == 0 {
			continue
		}
		size := b.artifacts[o.First].size
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
	c := &cursor{d: s}
	// each count bounded by the bytes its column needs, before anything is allocated
	nk := c.uv(c.left() / 4)
	ng := c.uv(nk)
	nn := c.uv(c.left() / noteLen)
	hashes := c.take(4 * nk)
	if c.bad {
		return errors.New("bundle KERNELS section truncated")
	}
	b.kernels = make([]Kernel, nk)
	k := uint64(0)
	for g := uint64(0); g < ng; g++ {
		var str [3]string
		for i := range str {
			var ok bool
			off := c.uv(0xffffffff)
			if str[i], ok = b.str(uint32(off)); !c.bad && !ok {
				return errf("bundle kernel group %d: bad string reference", g)
			}
		}
		cnt := c.uv(0xffffffff)
		if c.bad {
			return errf("bundle kernel group %d truncated", g)
		}
		if cnt == 0 || cnt > nk-k {
			return errf("bundle kernel group %d: %d kernels, past the table", g, cnt)
		}
		for i := uint64(0); i < cnt; i++ {
			b.kernels[k+i] = Kernel{Distro: str[0], Version: str[1], Arch: str[2], BTFHash: u32(hashes, int(4*(k+i)))}
		}
		k += cnt
	}
	if k != nk {
		return errf("bundle kernel groups hold %d kernels, the table %d", k, nk)
	}
	notes := c.take(noteLen * nn)
	cols := make([][]byte, b.nObj)
	for j := range cols {
		cols[j] = c.take(uint64(b.objects[j].Width) * nk)
	}
	if c.bad {
		return errors.New("bundle KERNELS section truncated in its notes or entries")
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
	for j := 0; j < b.nObj; j++ {
		o := b.objects[j]
		w := uint64(o.Width)
		b.codes[j] = make([]uint32, nk)
		for i := uint64(0); i < nk; i++ {
			p := cols[j][i*w:]
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
	}
	// releases, front and back coded: the rest of the section
	r, prev := s[c.p:], ""
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

func (b *Bundle) object(i int) Object { return b.objects[i] }

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
			e.Unguarded = b.artifacts[e.Artifact].unguarded
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
	c.Size = b.artifacts[first.Artifact].size
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
	if uint64(art) >= uint64(b.nArt) || b.artifacts[art].object != uint32(obj) {
		return nil, errf("no artifact %d of object %d in the bundle", art, obj)
	}
	r := b.artifacts[art]
	out := make([]byte, r.size)
	span := func(a artifact) []byte { return b.dat[a.dataOff : a.dataOff+a.dataSize] }
	if r.enc == encPatch {
		if err := applyDelta(span(b.artifacts[o.Base]), orig, out, o.Base); err != nil {
			return nil, err
		}
		if err := applyPatch(span(r), b.dat[o.SitesOff:o.SitesOff+o.SitesSize], out, art); err != nil {
			return nil, err
		}
	} else if err := applyDelta(span(r), orig, out, art); err != nil {
		return nil, err
	}
	if XXH64(out, 0) != r.hash {
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
