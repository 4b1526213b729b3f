/* SPDX-License-Identifier: MIT */
/*
 * Architectures in batch mode: their spellings, the architecture a BPF
 * object was built for (when the object tells it reliably), and selecting
 * kernels by "distro/version/arch/release" patterns.
 *
 * Why objects have an architecture: bpf_tracing.h reads a probe's
 * arguments from struct pt_regs by the registers of __TARGET_ARCH_*
 * (x86: ctx->di, ctx->si; arm64: struct user_pt_regs regs[0], regs[1]).
 * An x86 build relocated against an arm64 kernel is poisoned wherever it
 * reads an argument, whatever the program does right, so a batch relocates
 * each object only against kernels of its architecture.
 *
 * Detection is conservative: it looks only at names that exist on one
 * architecture (the pt_regs register names, arch-prefixed syscall entry
 * points) and gives "" (relocate for every kernel) when there are none or
 * when they disagree.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_internal.h"
#include "corelink_internal.h"

/* canonical name first, then its other spellings */
static const char *const arch_names[][5] = {
	{ "x86_64", "amd64", "x86", "x86-64", NULL },
	{ "aarch64", "arm64", NULL },
	{ "s390x", "s390", NULL },
	{ "ppc64le", "powerpc", "ppc64", NULL },
	{ "riscv64", "riscv", NULL },
	{ "loongarch64", "loongarch", NULL },
	{ "arm", "armv7l", "armhf", NULL },
};
#define NR_ARCHES (sizeof(arch_names) / sizeof(arch_names[0]))

static int arch_index(const char *a)
{
	size_t i, j;

	for (i = 0; i < NR_ARCHES; i++)
		for (j = 0; arch_names[i][j]; j++)
			if (!strcmp(a, arch_names[i][j]))
				return (int)i;
	return -1;
}

const char *corelink_arch_canon(const char *arch)
{
	int i;

	if (!arch || !arch[0])
		return "";
	i = arch_index(arch);
	return i < 0 ? NULL : arch_names[i][0];
}

bool corelink_arch_match(const char *a, const char *b)
{
	const char *ca, *cb;

	if (!a || !a[0] || !b || !b[0])
		return true;
	ca = corelink_arch_canon(a);
	cb = corelink_arch_canon(b);
	/* spellings this table does not know compare as they are */
	return !strcmp(ca ? ca : a, cb ? cb : b);
}

bool corelink_mf_applies(const struct corelink_mf_object *o, const struct corelink_mf_kernel *k)
{
	return corelink_arch_match(o->arch, k->arch);
}

/* ------------------------------------------------------------------ */
/* Detection                                                           */
/* ------------------------------------------------------------------ */

/* Register names found on one architecture only (struct pt_regs / user_pt_regs). */
static const char *const x86_regs[] = { "di", "si", "dx", "cx", "ax", "bx", "bp", "ip",
					"orig_ax", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
					"r15", "rdi", "rsi", "rdx", "rcx", "rax", "rbx", "rbp",
					"rip", "orig_rax", NULL };
static const char *const arm64_regs[] = { "pstate", "orig_x0", NULL };

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

struct evidence {
	const char *x86, *arm64;  /* first distinctive name seen for each */
	bool has_regs, has_pc;    /* arm64's user_pt_regs: regs[] and pc together */
	char kprobe[2][128];      /* a kprobe section naming __x64_sys_ / __arm64_sys_ */
};

/* Member names of a struct, anonymous members included (depth-limited). */
static void scan_members(const struct btfdb_btf *btf, const struct btf_type *t, int depth,
			 struct evidence *ev)
{
	const struct btf_member *m;
	uint32_t i;

	if (depth > 4 || !t || !btfdb_is_composite(t))
		return;
	m = btfdb_members(t);
	for (i = 0; i < btfdb_vlen(t); i++) {
		const char *name = btfdb_btf_str(btf, m[i].name_off);

		if (!name || !name[0]) {
			scan_members(btf, btfdb_skip_mods_and_typedefs(btf, m[i].type, NULL),
				     depth + 1, ev);
			continue;
		}
		if (!ev->x86 && in_list(name, x86_regs))
			ev->x86 = name;
		if (!ev->arm64 && in_list(name, arm64_regs))
			ev->arm64 = name;
		ev->has_regs |= !strcmp(name, "regs");
		ev->has_pc |= !strcmp(name, "pc");
	}
}

const char *corelink_obj_detect_arch(const struct corelink_obj *obj, char *why, size_t size)
{
	const struct btfdb_btf *btf = obj->btf;
	struct evidence ev = { 0 };
	bool x86, arm64;
	uint32_t id, n = btf ? btfdb_btf_type_cnt(btf) : 0;
	size_t i;

	for (id = btf ? btfdb_btf_start_id(btf) : 1; id < n; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		const char *name;

		if (!t || !btfdb_is_composite(t))
			continue;
		name = btfdb_btf_str(btf, t->name_off);
		if (name && (!strcmp(name, "pt_regs") || !strcmp(name, "user_pt_regs")))
			scan_members(btf, t, 0, &ev);
	}
	if (!ev.arm64 && ev.has_regs && ev.has_pc)
		ev.arm64 = "regs[] and pc";
	for (i = 0; i < obj->nr_secs; i++) {
		const char *s = obj->secs[i].name;

		if (strncmp(s, "kprobe/", 7) && strncmp(s, "kretprobe/", 10))
			continue;
		if (!ev.kprobe[0][0] && (strstr(s, "/__x64_sys_") || strstr(s, "/__ia32_sys_")))
			snprintf(ev.kprobe[0], sizeof(ev.kprobe[0]), "%s", s);
		if (!ev.kprobe[1][0] && strstr(s, "/__arm64_sys_"))
			snprintf(ev.kprobe[1], sizeof(ev.kprobe[1]), "%s", s);
	}
	x86 = ev.x86 || ev.kprobe[0][0];
	arm64 = ev.arm64 || ev.kprobe[1][0];
	if (x86 && arm64) {
		if (why)
			snprintf(why, size, "unknown: both x86 (%s) and arm64 (%s) signs; relocated for every arch",
				 ev.x86 ? ev.x86 : ev.kprobe[0], ev.arm64 ? ev.arm64 : ev.kprobe[1]);
		return "";
	}
	if (x86 || arm64) {
		if (why) {
			if (x86 && ev.x86)
				snprintf(why, size, "detected: pt_regs register '%s' (x86)", ev.x86);
			else if (arm64 && ev.arm64)
				snprintf(why, size, "detected: pt_regs register '%s' (arm64)", ev.arm64);
			else
				snprintf(why, size, "detected: section %s", x86 ? ev.kprobe[0] : ev.kprobe[1]);
		}
		return x86 ? "x86_64" : "aarch64";
	}
	if (why)
		snprintf(why, size, "unknown: no architecture-specific types or sections; relocated for every arch");
	return "";
}

/* ------------------------------------------------------------------ */
/* Kernel selection                                                    */
/* ------------------------------------------------------------------ */

static bool kernel_matches(const struct corelink_kernel_src *k, const char *pat)
{
	char id[1280];
	int a = arch_index(k->arch), j;

	snprintf(id, sizeof(id), "%s/%s/%s/%s", k->distro, k->version, k->arch, k->release);
	if (!fnmatch(pat, id, 0))
		return true;
	for (j = 0; a >= 0 && arch_names[a][j]; j++) {
		snprintf(id, sizeof(id), "%s/%s/%s/%s", k->distro, k->version, arch_names[a][j],
			 k->release);
		if (!fnmatch(pat, id, 0))
			return true;
	}
	return false;
}

int corelink_kernels_filter(struct corelink_kernel_list *l, const char *const *patterns, size_t n,
			    struct btfdb_err *err)
{
	size_t i, j, kept = 0, before = l->n;

	if (!n)
		return 0;
	for (i = 0; i < l->n; i++) {
		bool keep = false;

		for (j = 0; j < n && !keep; j++)
			keep = kernel_matches(&l->k[i], patterns[j]);
		if (keep)
			l->k[kept++] = l->k[i];
		else
			cl_kernel_src_free(&l->k[i]);
	}
	l->n = kept;
	if (!kept) {
		btfdb_err_set(err, "no kernel (of %zu) matches --kernels %s%s", before, patterns[0],
			      n > 1 ? " ..." : "");
		return -ENOENT;
	}
	return 0;
}
