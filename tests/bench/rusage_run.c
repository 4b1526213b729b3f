// SPDX-License-Identifier: MIT
/*
 * bench_rusage: run a command N times, each in a fresh process, and report
 * the median and minimum wall time, the median CPU time (user + system) and
 * the peak resident set size.  CPU time is the steadier figure on a busy
 * machine.
 *
 *   bench_rusage N CMD [ARGS...] [--- CMD [ARGS...]]...
 *
 * Several commands (up to 8, separated by "---") are run in turns, run i of
 * each before run i + 1 of any, so that all of them meet the same phases of
 * a machine whose speed drifts (a VM's does, by tens of percent): their
 * ratio is then steadier than that of two separate series.
 * Prints one line per command on stdout:
 *   runs=N ok=K median_ms=M min_ms=M max_ms=M cpu_ms=C maxrss_kb=R
 * where maxrss_kb is the largest peak RSS of any run (wait4's ru_maxrss).
 * The command's stdout goes to /dev/null; its stderr is kept.  Exit 0 when
 * every run exited 0, 1 otherwise.  "{i}" in an argument becomes the run
 * number, so each run can write a fresh output file (replacing an existing
 * file costs ext4 a writeback of the new one on rename, ~1.5 ms here, which
 * a CI run writing fresh artifacts does not pay).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, long n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* In the child: replace "{i}" in each argument by the run number. */
static void subst_run(char **args, long run)
{
	for (; *args; args++) {
		char *at = strstr(*args, "{i}"), *n;

		if (!at)
			continue;
		n = malloc(strlen(*args) + 24);
		if (!n)
			continue;
		sprintf(n, "%.*s%ld%s", (int)(at - *args), *args, run, at + 3);
		*args = n;
	}
}

/* One run of argv in a fresh process: wall ms, cpu ms, peak RSS; false on failure. */
static int run_once(char **argv, long run, double *ms, double *cpu, long *maxrss, int *ok)
{
	struct rusage ru;
	int status;
	double t0 = now_ms();
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		subst_run(argv, run);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return -1;
	}
	*ms = now_ms() - t0;
	*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (ru.ru_maxrss > *maxrss)
		*maxrss = ru.ru_maxrss;
	*ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	return 0;
}

#define MAX_CMDS 8

int main(int argc, char **argv)
{
	long n, i, c, ncmd = 1, ok[MAX_CMDS] = { 0 }, maxrss[MAX_CMDS] = { 0 };
	double *ms[MAX_CMDS], *cpu[MAX_CMDS];
	char **cmd[MAX_CMDS];
	int all_ok = 1, k;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) < 1 || n > 100000) {
		fprintf(stderr, "usage: %s N CMD [ARGS...] [--- CMD [ARGS...]]...\n", argv[0]);
		return 2;
	}
	cmd[0] = argv + 2;
	for (k = 2; k < argc; k++)
		if (!strcmp(argv[k], "---")) {
			argv[k] = NULL;
			if (ncmd == MAX_CMDS || k + 1 >= argc) {
				fprintf(stderr, "%s: at most %d commands, separated by ---, none empty\n", argv[0], MAX_CMDS);
				return 2;
			}
			cmd[ncmd++] = argv + k + 1;
		}
	for (c = 0; c < ncmd; c++) {
		ms[c] = calloc(n, sizeof(double));
		cpu[c] = calloc(n, sizeof(double));
		if (!ms[c] || !cpu[c] || !cmd[c][0])
			return 2;
	}
	/* in turns: every command meets the same phases of a busy machine */
	for (i = 0; i < n; i++)
		for (c = 0; c < ncmd; c++) {
			int good;

			if (run_once(cmd[c], i, &ms[c][i], &cpu[c][i], &maxrss[c], &good))
				return 2;
			ok[c] += good;
		}
	for (c = 0; c < ncmd; c++) {
		double min = ms[c][0], max = ms[c][0];

		for (i = 0; i < n; i++) {
			min = ms[c][i] < min ? ms[c][i] : min;
			max = ms[c][i] > max ? ms[c][i] : max;
		}
		printf("runs=%ld ok=%ld median_ms=%.3f min_ms=%.3f max_ms=%.3f cpu_ms=%.3f maxrss_kb=%ld\n",
		       n, ok[c], median(ms[c], n), min, max, median(cpu[c], n), maxrss[c]);
		all_ok &= ok[c] == n;
		free(ms[c]);
		free(cpu[c]);
	}
	return all_ok ? 0 : 1;
}
