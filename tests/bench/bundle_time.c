/* SPDX-License-Identifier: MIT */
/*
 * bench_bundle: what a loader pays for the bundle runtime (scripts/bench
 * --section bundle).  The bundle file is read into memory first (not
 * counted: a loader embeds it or maps it); then, REPS times, open (every
 * checksum) + select (explicit identity) + malloc + materialize + free.
 *
 *   bench_bundle BUNDLE OBJECT RELEASE ARCH DISTRO VERSION REPS
 *
 * Prints: size=<object bytes> open_us=<median> select_us=<median>
 *         materialize_us=<median> total_us=<median> rss_delta_kb=<resident
 *         memory added by open + select + malloc + materialize, first run>
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "corelink_bundle.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[n / 2];
}

/* Resident memory now, in KB (/proc/self/statm). */
static long rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv)
{
	struct corelink_bundle_query q = { 0 };
	struct corelink_bundle_err err;
	double *t_open, *t_sel, *t_mat, *t_all;
	unsigned char *data;
	long size, rss0 = 0, rss_delta = 0;
	uint64_t out_size = 0;
	int reps, i;
	FILE *f;

	if (argc != 8 || (reps = atoi(argv[7])) <= 0) {
		fprintf(stderr, "usage: bench_bundle BUNDLE OBJECT RELEASE ARCH DISTRO VERSION REPS\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return 1;
	data = malloc((size_t)size);
	if (!data || fread(data, 1, (size_t)size, f) != (size_t)size)
		return 1;
	fclose(f);
	q.object = argv[2];
	q.release = argv[3];
	q.arch = argv[4];
	q.distro = argv[5];
	q.version = argv[6];
	q.btf_path = "";
	t_open = calloc((size_t)reps, sizeof(double));
	t_sel = calloc((size_t)reps, sizeof(double));
	t_mat = calloc((size_t)reps, sizeof(double));
	t_all = calloc((size_t)reps, sizeof(double));
	for (i = 0; i < reps; i++) {
		struct corelink_bundle *b;
		struct corelink_bundle_choice c;
		double t0, t1, t2, t3;
		void *buf;

		if (i == 0)
			rss0 = rss_kb();
		t0 = now_us();

		if (corelink_bundle_open(data, (size_t)size, &b, &err))
			goto fail;
		t1 = now_us();
		if (corelink_bundle_select(b, &q, &c, &err))
			goto fail;
		t2 = now_us();
		buf = malloc((size_t)c.size);
		if (!buf || corelink_bundle_materialize(b, &c, buf, (size_t)c.size, &err))
			goto fail;
		t3 = now_us();
		if (i == 0)
			rss_delta = rss_kb() - rss0;
		out_size = c.size;
		free(buf);
		corelink_bundle_close(b);
		t_open[i] = t1 - t0;
		t_sel[i] = t2 - t1;
		t_mat[i] = t3 - t2;
		t_all[i] = t3 - t0;
	}
	printf("size=%llu open_us=%.1f select_us=%.1f materialize_us=%.1f total_us=%.1f rss_delta_kb=%ld\n",
	       (unsigned long long)out_size, median(t_open, reps), median(t_sel, reps),
	       median(t_mat, reps), median(t_all, reps), rss_delta);
	return 0;
fail:
	fprintf(stderr, "bench_bundle: %s\n", err.msg);
	return 1;
}
