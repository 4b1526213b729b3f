// SPDX-License-Identifier: MIT

// bundle-dump: the Go reader (corelinkbundle, standard library only) rebuilds every
// kernel x object of a bundle, each selected by its kernel's identity (no BTF fallback),
// into OUTDIR/<kernel index>.<object name>; one line per entry, like tests/bundle/bundle_dump.c.
// With "logical", an object built per arch (one record per build, one name) is selected by its
// name once per kernel: the reader picks the build for the kernel's arch.
//
//	bundle-dump BUNDLE OUTDIR [logical]
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"corelinkbundle"
)

func main() {
	logical := len(os.Args) == 4 && os.Args[3] == "logical"
	if len(os.Args) != 3 && !logical {
		fmt.Fprintln(os.Stderr, "usage: bundle-dump BUNDLE OUTDIR [logical]")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bundle-dump:", err)
		os.Exit(1)
	}
	b, err := corelinkbundle.Open(data)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bundle-dump:", err)
		os.Exit(1)
	}
	rc := 0
	for k := 0; k < b.NumKernels(); k++ {
		kr := b.Kernel(k)
		seen := map[string]bool{}
		for o := 0; o < b.NumObjects(); o++ {
			name := b.Object(o).Name
			if logical {
				if seen[name] {
					continue
				}
				seen[name] = true
			}
			c, err := b.Select(corelinkbundle.Query{Object: name, Release: kr.Release, Arch: kr.Arch,
				Distro: kr.Distro, Version: kr.Version, NoFallback: true})
			if err != nil {
				fmt.Printf("%d %s error %v\n", k, name, err)
				continue
			}
			if c.Kernel != k {
				fmt.Fprintf(os.Stderr, "bundle-dump: kernel %d selected %d\n", k, c.Kernel)
				rc = 1
				continue
			}
			obj, err := b.Materialize(c)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bundle-dump: kernel %d %s: %v\n", k, name, err)
				rc = 1
				continue
			}
			if err := os.WriteFile(filepath.Join(os.Args[2], fmt.Sprintf("%d.%s", k, name)), obj, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "bundle-dump:", err)
				rc = 1
			}
			fmt.Printf("%d %s %s %s\n", k, name, c.How, c.Status)
		}
	}
	os.Exit(rc)
}
