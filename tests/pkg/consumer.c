/* SPDX-License-Identifier: MIT */
/*
 * A program built against the INSTALLED corelink package (headers, static
 * libraries, pkg-config files) by tests/pkg/run_pkg.sh:
 *
 *   consumer OBJ.o TARGET.btf OUT.o MANIFEST RELEASE ARCH
 *
 * 1. relocates OBJ.o against TARGET through the library API and writes OUT.o
 *    (the test compares it with the installed tool's output: same bytes);
 * 2. picks the artifact of MANIFEST for a host with that release and arch
 *    (corelink_pick) and prints "picked KERNEL PATH".
 * Exit: 0 ok, 1 failure (message on stderr).
 */
#include <stdio.h>

#include <batch.h>     /* from <prefix>/include/corelink (pkg-config --cflags corelink) */
#include <btfdb.h>

int main(int argc, char **argv)
{
	struct btfdb_err err = { { 0 } };
	struct corelink_obj *obj = NULL;
	struct btfdb_btf *btf = NULL;
	struct btfdb_index *idx = NULL;
	struct corelink_run *run = NULL;
	struct corelink_opts opts = { 0 };
	struct corelink_pick_query q = { 0 };
	struct corelink_pick_result res = { 0 };
	int rc = 1;

	if (argc != 7) {
		fprintf(stderr, "usage: consumer OBJ.o TARGET OUT.o MANIFEST RELEASE ARCH\n");
		return 2;
	}
	if (corelink_obj_open(argv[1], &obj, &err) || btfdb_btf_load(argv[2], &btf, &err) ||
	    btfdb_index_build(btf, &idx, &err) ||
	    corelink_relocate(obj, btf, idx, &opts, &run, &err) ||
	    corelink_write(obj, run, NULL, argv[3], &err))
		goto out;
	printf("relocated %zu relocation(s), %zu poisoned\n", corelink_run_relo_cnt(run),
	       corelink_run_poisoned(run));
	q.release = argv[5];
	q.arch = argv[6];
	if (corelink_pick(argv[4], &q, &res, &err))
		goto out;
	printf("picked %s %s\n", res.kernel, res.path);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "consumer: %s\n", err.msg);
	corelink_pick_result_clear(&res);
	corelink_run_free(run);
	btfdb_index_free(idx);
	btfdb_btf_free(btf);
	corelink_obj_free(obj);
	return rc;
}
