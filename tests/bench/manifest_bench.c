/* SPDX-License-Identifier: MIT */
/*
 * bench_manifest MANIFEST [N]: median wall time of parsing (text -> model,
 * corelink_manifest_parse) and writing (model -> text, corelink_manifest_write
 * into memory) a batch manifest, over N runs each (default 21).  The file is
 * read once; no disk I/O is timed.  Prints one line per phase.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct btfdb_err err = { 0 };
	struct corelink_manifest *m = NULL;
	int n = argc > 2 ? atoi(argv[2]) : 21, i;
	double *tp, *tw;
	char *text = NULL, *out = NULL;
	size_t len = 0, olen = 0;
	FILE *f;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: bench_manifest MANIFEST [N]\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (len = (size_t)ftell(f)) == 0 || fseek(f, 0, SEEK_SET) ||
	    !(text = malloc(len)) || fread(text, 1, len, f) != len) {
		fprintf(stderr, "bench_manifest: cannot read %s\n", argv[1]);
		return 2;
	}
	fclose(f);
	tp = calloc(n, sizeof(*tp));
	tw = calloc(n, sizeof(*tw));
	for (i = 0; i < n; i++) {
		double t0 = now();

		corelink_manifest_free(m);
		if (corelink_manifest_parse(text, len, argv[1], &m, &err)) {
			fprintf(stderr, "bench_manifest: %s\n", err.msg);
			return 1;
		}
		tp[i] = now() - t0;
	}
	for (i = 0; i < n; i++) {
		double t0 = now();

		free(out);
		out = NULL;
		f = open_memstream(&out, &olen);
		if (!f || corelink_manifest_write(m, f, &err) || fclose(f)) {
			fprintf(stderr, "bench_manifest: write failed: %s\n", err.msg);
			return 1;
		}
		tw[i] = now() - t0;
	}
	qsort(tp, n, sizeof(*tp), dbl_cmp);
	qsort(tw, n, sizeof(*tw), dbl_cmp);
	printf("manifest %s: %zu bytes, %zu kernels x %zu objects\n", argv[1], len, m->nr_kernels,
	       m->nr_objects);
	printf("parse: median %.2f ms (min %.2f, max %.2f) over %d runs\n", tp[n / 2] * 1e3,
	       tp[0] * 1e3, tp[n - 1] * 1e3, n);
	printf("write: median %.2f ms (min %.2f, max %.2f) over %d runs, %zu bytes\n", tw[n / 2] * 1e3,
	       tw[0] * 1e3, tw[n - 1] * 1e3, n, olen);
	corelink_manifest_free(m);
	free(out);
	free(text);
	free(tp);
	free(tw);
	return 0;
}
