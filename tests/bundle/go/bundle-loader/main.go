// SPDX-License-Identifier: MIT

// bundle-loader: a Go loader built on cilium/ebpf that embeds its bundle (go:embed
// app.bundle, copied next to this file by the test), selects e2e_task for this host with
// the standard-library reader corelinkbundle, and loads the rebuilt object with
// cilium/ebpf: attaches raw_tp/sys_enter, makes syscalls on a locked thread and checks
// what the program read through the relocated offsets.
//
//	bundle-loader -expect exact|fallback-btf|no-match [-original FILE]
//
// fallback-btf: the bytes must be the original CO-RE object (FILE); they are not loaded
// (cilium/ebpf 0.9.1 cannot parse this kernel's BTF, so it cannot relocate them).
// no-match: the selection must fail naming the nearest kernels.
package main

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"

	"corelinkbundle"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

//go:embed app.bundle
var appBundle []byte

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "go-loader: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	expect := flag.String("expect", "", "exact, fallback-btf or no-match")
	original := flag.String("original", "", "the original object (fallback-btf)")
	flag.Parse()
	b, err := corelinkbundle.Open(appBundle)
	if err != nil {
		die("%v", err)
	}
	c, err := b.Select(corelinkbundle.Query{Object: "e2e_task"})
	fmt.Printf("selected: %v (host %s %s %s %s)\n", map[bool]interface{}{true: err, false: c.How}[err != nil],
		c.Distro, c.Version, c.Arch, c.Release)
	switch *expect {
	case "no-match":
		if err == nil || c.How != corelinkbundle.NoMatch || len(c.Nearest) == 0 || !strings.Contains(err.Error(), "nearest: ") {
			die("expected no match with the nearest kernels")
		}
		return
	case "exact", "fallback-btf":
		if err != nil || c.How.String() != *expect {
			die("expected %s", *expect)
		}
	default:
		die("usage: bundle-loader -expect exact|fallback-btf|no-match [-original FILE]")
	}
	obj, err := b.Materialize(c)
	if err != nil {
		die("%v", err)
	}
	if *expect == "fallback-btf" {
		want, err := os.ReadFile(*original)
		if err != nil || !bytes.Equal(obj, want) {
			die("fallback bytes are not the original object %s", *original)
		}
		fmt.Println("ok         fallback bytes == original CO-RE object")
		return
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))
	if err != nil {
		die("spec: %v", err)
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		die("load: %v", err)
	}
	defer coll.Close()
	prog, bss := coll.Programs["e2e_sys_enter"], coll.Maps[".bss"]
	if prog == nil || bss == nil || bss.ValueSize() != 104 {
		die("program e2e_sys_enter or .bss missing")
	}
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_enter", Program: prog})
	if err != nil {
		die("attach: %v", err)
	}
	defer l.Close()

	runtime.LockOSThread()
	tid := syscall.Gettid()
	st := make([]byte, 104)
	binary.LittleEndian.PutUint32(st, uint32(tid))
	if err := bss.Update(uint32(0), st, ebpf.UpdateAny); err != nil {
		die(".bss update: %v", err)
	}
	for i := 0; i < 5; i++ {
		syscall.Getppid()
	}
	got, err := bss.LookupBytes(uint32(0))
	if err != nil || len(got) != 104 {
		die(".bss lookup: %v", err)
	}
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/comm", tid))
	le := binary.LittleEndian
	rc := 0
	check := func(what string, g, w int64) {
		s := "ok"
		if g != w {
			s, rc = "MISMATCH", 1
		}
		fmt.Printf("%-10s %-6s got %d want %d\n", s, what, g, w)
	}
	check("hits>0", map[bool]int64{true: 1, false: 0}[le.Uint32(got[4:]) > 0], 1)
	check("pid", int64(int32(le.Uint32(got[16:]))), int64(tid))
	check("tgid", int64(int32(le.Uint32(got[20:]))), int64(os.Getpid()))
	check("ppid", int64(int32(le.Uint32(got[24:]))), int64(os.Getppid()))
	check("uid", int64(le.Uint32(got[32:])), int64(os.Getuid()))
	gotComm := string(bytes.TrimRight(got[88:104], "\x00"))
	wantComm := strings.TrimSpace(string(comm))
	if gotComm != wantComm {
		fmt.Printf("MISMATCH   comm   got '%s' want '%s'\n", gotComm, wantComm)
		rc = 1
	} else {
		fmt.Printf("ok         comm   '%s'\n", gotComm)
	}
	os.Exit(rc)
}
