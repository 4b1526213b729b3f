/* SPDX-License-Identifier: MIT */
/*
 * The portability report of a batch, from its manifest: for each object,
 * program and kernel, one of
 *   ok       every relocation of the program applied;
 *   guarded  some instructions poisoned, but the heuristic (guard.c) finds
 *            them unreachable once bpf_core_*_exists() checks are resolved:
 *            the program is expected to load;
 *   poisoned a poisoned instruction the heuristic cannot rule out: the
 *            verifier rejects the program if it is reached;
 *   error    the object could not be relocated for that kernel at all.
 * Markdown: a summary table (rows = programs; counts; where it breaks; the
 * fields and types that break it), a table by kernel group (distro/version/
 * arch), then details.  JSON: the same data, schema "corelink-report" v1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch_internal.h"

enum pstat { P_OK = CL_PSTAT_OK, P_GUARDED = CL_PSTAT_GUARDED, P_POISONED = CL_PSTAT_POISONED,
	     P_ERROR = CL_PSTAT_ERROR, P_NR = CL_PSTAT_NR, P_NA = CL_PSTAT_NA };

static const char *const pstat_name[P_NR] = { "ok", "guarded", "poisoned", "error" };

#define HEURISTIC_NOTE                                                                      \
	"'guarded' is a heuristic: a poisoned instruction counts as guarded when it is unreachable " \
	"from the program's entry once conditional jumps on a bpf_core_field_exists / "          \
	"type_exists / enumval_exists / type_matches value (as patched for that kernel, in the same " \
	"basic block) are resolved; the verifier prunes such dead branches. Values spilled to the " \
	"stack or combined with other conditions are not followed, so a guarded poison may be " \
	"reported as 'poisoned'."

/* A list of (name, count), in first-seen order. */
struct tally {
	char **names;
	size_t *counts;
	size_t n, cap;
};

static int tally_add(struct tally *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->names[i], name)) {
			t->counts[i]++;
			return 0;
		}
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 8;
		char **nn = realloc(t->names, nc * sizeof(*nn));
		size_t *ncn;

		if (!nn)
			return -ENOMEM;
		t->names = nn;
		ncn = realloc(t->counts, nc * sizeof(*ncn));
		if (!ncn)
			return -ENOMEM;
		t->counts = ncn;
		t->cap = nc;
	}
	if (!(t->names[t->n] = strdup(name)))
		return -ENOMEM;
	t->counts[t->n++] = 1;
	return 0;
}

static void tally_free(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t->counts);
	memset(t, 0, sizeof(*t));
}

/* "a (3), b (1), +2 more" with at most max items, most frequent first. */
static void tally_print(FILE *f, const struct tally *t, size_t max, const char *none)
{
	size_t shown = 0, i, best;
	bool *used;

	if (!t->n) {
		fputs(none, f);
		return;
	}
	used = calloc(t->n, sizeof(*used));
	if (!used)
		return;
	while (shown < max && shown < t->n) {
		best = t->n;
		for (i = 0; i < t->n; i++)
			if (!used[i] && (best == t->n || t->counts[i] > t->counts[best]))
				best = i;
		used[best] = true;
		fprintf(f, "%s`%s` (%zu)", shown ? ", " : "", t->names[best], t->counts[best]);
		shown++;
	}
	if (t->n > shown)
		fprintf(f, ", +%zu more", t->n - shown);
	free(used);
}

/* Markdown table cells must not contain '|' or newlines. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

/* "name" or, for a build of one architecture, "name [arch]". */
static void md_object(FILE *f, const struct corelink_mf_object *ob)
{
	md_cell(f, ob->name);
	if (cl_s0(ob->arch)[0])
		fprintf(f, " [%s]", ob->arch);
}

static void group_of(const struct corelink_mf_kernel *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s/%s", k->distro, k->version, k->arch);
}

static int write_md(const struct corelink_manifest *m, FILE *f)
{
	struct tally groups = { 0 };
	char g[768], id[1024];
	size_t o, p, k, i, gi;
	int ret = 0;

	for (k = 0; k < m->nr_kernels && !ret; k++) {
		group_of(&m->kernels[k], g, sizeof(g));
		ret = tally_add(&groups, g);
	}
	fprintf(f, "# corelink portability report\n\n");
	fprintf(f, "%zu object(s) x %zu kernel(s). Per program and kernel: **ok** (relocated cleanly), "
		   "**guarded** (poisoned instructions the program cannot reach: expected to load), "
		   "**poisoned** (a poisoned instruction that may be reached: the verifier rejects the "
		   "program), **error** (the object could not be relocated).\n\n",
		m->nr_objects, m->nr_kernels);
	fprintf(f, "> Note: %s\n\n", HEURISTIC_NOTE);

	fprintf(f, "## Summary\n\n");
	fprintf(f, "| object | program | loads | ok | guarded | poisoned | error | breaks on | missing fields/types |\n");
	fprintf(f, "|---|---|---:|---:|---:|---:|---:|---|---|\n");
	for (o = 0; o < m->nr_objects && !ret; o++) {
		const struct corelink_mf_object *ob = &m->objects[o];

		for (p = 0; p < ob->nr_programs && !ret; p++) {
			const struct corelink_mf_program *pr = &ob->programs[p];
			struct tally brk = { 0 }, miss = { 0 };
			size_t cnt[P_NR] = { 0 };

			for (k = 0; k < m->nr_kernels && !ret; k++) {
				const struct corelink_mf_entry *e = &m->kernels[k].entries[o];
				enum pstat s = cl_prog_status(e, pr);

				if (s == P_NA)
					continue;
				cnt[s]++;
				if (s == P_POISONED || s == P_ERROR) {
					group_of(&m->kernels[k], g, sizeof(g));
					ret = tally_add(&brk, g);
				}
				for (i = 0; i < e->nr_poison && !ret; i++)
					if (cl_poison_in_prog(&e->poison[i], pr) && !e->poison[i].guarded)
						ret = tally_add(&miss, e->poison[i].spec);
				if (s == P_ERROR && !ret)
					ret = tally_add(&miss, "(error)");
			}
			fputs("| ", f);
			md_object(f, ob);
			fputs(" | ", f);
			md_cell(f, pr->name);
			fprintf(f, "%s | %zu/%zu | %zu | %zu | %zu | %zu | ",
				strcmp(pr->section, ".text") ? "" : " (subprogram)",
				cnt[P_OK] + cnt[P_GUARDED],
				cnt[P_OK] + cnt[P_GUARDED] + cnt[P_POISONED] + cnt[P_ERROR],
				cnt[P_OK], cnt[P_GUARDED],
				cnt[P_POISONED], cnt[P_ERROR]);
			tally_print(f, &brk, 4, "-");
			fputs(" | ", f);
			tally_print(f, &miss, 3, "-");
			fputs(" |\n", f);
			tally_free(&brk);
			tally_free(&miss);
		}
	}

	fprintf(f, "\n## By kernel group\n\nCells: kernels of the group where the program loads / kernels in the group.\n\n");
	fprintf(f, "| object | program |");
	for (gi = 0; gi < groups.n; gi++) {
		fputc(' ', f);
		md_cell(f, groups.names[gi]);
		fputs(" |", f);
	}
	fprintf(f, "\n|---|---|");
	for (gi = 0; gi < groups.n; gi++)
		fputs("---:|", f);
	fputc('\n', f);
	for (o = 0; o < m->nr_objects; o++) {
		const struct corelink_mf_object *ob = &m->objects[o];

		for (p = 0; p < ob->nr_programs; p++) {
			fputs("| ", f);
			md_object(f, ob);
			fputs(" | ", f);
			md_cell(f, ob->programs[p].name);
			fputs(" |", f);
			for (gi = 0; gi < groups.n; gi++) {
				size_t loads = 0, there = 0;

				for (k = 0; k < m->nr_kernels; k++) {
					enum pstat s;

					group_of(&m->kernels[k], g, sizeof(g));
					if (strcmp(g, groups.names[gi]))
						continue;
					s = cl_prog_status(&m->kernels[k].entries[o], &ob->programs[p]);
					loads += s == P_OK || s == P_GUARDED;
					there += s != P_NA;
				}
				if (!there)
					fputs(" - |", f); /* no kernel of the build's arch in the group */
				else
					fprintf(f, " %zu/%zu%s |", loads, there, loads == there ? "" : " **!**");
			}
			fputc('\n', f);
		}
	}

	fprintf(f, "\n## Details\n\n");
	for (o = 0; o < m->nr_objects; o++) {
		bool any = false;

		fputs("### ", f);
		md_object(f, &m->objects[o]);
		fputs("\n\n", f);
		for (k = 0; k < m->nr_kernels; k++) {
			const struct corelink_mf_entry *e = &m->kernels[k].entries[o];

			corelink_mf_kernel_id(&m->kernels[k], id, sizeof(id));
			if (e->status == CORELINK_ENTRY_ERROR) {
				fprintf(f, "- `%s`: **error**: %s\n", id, e->error ? e->error : "?");
				any = true;
			}
			for (i = 0; i < e->nr_poison; i++) {
				const struct corelink_mf_poison *z = &e->poison[i];

				fprintf(f, "- `%s`: %s `%s` insn %u: %s `%s`: %s\n", id,
					z->guarded ? "guarded" : "**poisoned**", z->program, z->insn,
					z->kind, z->spec, z->reason);
				any = true;
			}
		}
		fprintf(f, any ? "\n" : "Relocated cleanly on every kernel.\n\n");
	}
	tally_free(&groups);
	return ret;
}

static json_t *cell_json(const struct corelink_manifest *m, size_t k, size_t o,
			 const struct corelink_mf_program *pr)
{
	const struct corelink_mf_entry *e = &m->kernels[k].entries[o];
	enum pstat s = cl_prog_status(e, pr);
	json_t *c = json_object(), *pz = NULL, *z;
	bool ok = c != NULL;
	char id[1024];
	size_t i;

	ok = ok && cl_json_set(c, "kernel",
			       cl_json_str(corelink_mf_kernel_id(&m->kernels[k], id, sizeof(id))));
	ok = ok && cl_json_set(c, "status", json_string(pstat_name[s]));
	if (ok && s == P_ERROR)
		ok = cl_json_set(c, "error", cl_json_str(e->error));
	if (ok && (s == P_GUARDED || s == P_POISONED))
		ok = cl_json_set(c, "poisoned", pz = json_array());
	for (i = 0; ok && pz && i < e->nr_poison; i++) {
		const struct corelink_mf_poison *p = &e->poison[i];

		if (!cl_poison_in_prog(p, pr))
			continue;
		ok = cl_json_push(pz, z = json_object()) &&
		     cl_json_set(z, "insn", json_integer(p->insn)) &&
		     cl_json_set(z, "kind", cl_json_str(p->kind)) &&
		     cl_json_set(z, "spec", cl_json_str(p->spec)) &&
		     cl_json_set(z, "reason", cl_json_str(p->reason)) &&
		     cl_json_set(z, "guarded", json_boolean(p->guarded));
	}
	if (!ok)
		json_decref(c);
	return ok ? c : NULL;
}

static json_t *program_json(const struct corelink_manifest *m, size_t o,
			    const struct corelink_mf_program *pr)
{
	json_t *v = json_object(), *cnts = NULL, *ks = NULL;
	size_t cnt[P_NR + 1] = { 0 }, k;
	bool ok = v != NULL;

	for (k = 0; k < m->nr_kernels; k++)
		cnt[cl_prog_status(&m->kernels[k].entries[o], pr)]++;
	ok = ok && cl_json_set(v, "name", cl_json_str(pr->name));
	ok = ok && cl_json_set(v, "section", cl_json_str(pr->section));
	ok = ok && cl_json_set(v, "counts", cnts = json_object());
	ok = ok && cl_json_set(cnts, "ok", json_integer((json_int_t)cnt[P_OK]));
	ok = ok && cl_json_set(cnts, "guarded", json_integer((json_int_t)cnt[P_GUARDED]));
	ok = ok && cl_json_set(cnts, "poisoned", json_integer((json_int_t)cnt[P_POISONED]));
	ok = ok && cl_json_set(cnts, "error", json_integer((json_int_t)cnt[P_ERROR]));
	ok = ok && cl_json_set(v, "kernels", ks = json_array());
	for (k = 0; ok && k < m->nr_kernels; k++)
		if (cl_prog_status(&m->kernels[k].entries[o], pr) != P_NA) /* another arch */
			ok = cl_json_push(ks, cell_json(m, k, o, pr));
	if (!ok)
		json_decref(v);
	return ok ? v : NULL;
}

json_t *corelink_report_json(const struct corelink_manifest *m)
{
	json_t *doc = json_object(), *ks = NULL, *os = NULL, *ob, *ps;
	bool ok = doc != NULL;
	char id[1024];
	size_t o, p, k;

	ok = ok && cl_json_set(doc, "schema", json_string(CORELINK_REPORT_SCHEMA));
	ok = ok && cl_json_set(doc, "schema_version", json_integer(CORELINK_REPORT_VERSION));
	ok = ok && cl_json_set(doc, "heuristic", json_string(HEURISTIC_NOTE));
	ok = ok && cl_json_set(doc, "kernels", ks = json_array());
	for (k = 0; ok && k < m->nr_kernels; k++)
		ok = cl_json_push(ks, cl_json_str(corelink_mf_kernel_id(&m->kernels[k], id, sizeof(id))));
	ok = ok && cl_json_set(doc, "objects", os = json_array());
	for (o = 0; ok && o < m->nr_objects; o++) {
		ok = cl_json_push(os, ob = json_object()) &&
		     cl_json_set(ob, "name", cl_json_str(m->objects[o].name)) &&
		     cl_json_set(ob, "arch", cl_json_str(cl_s0(m->objects[o].arch))) &&
		     cl_json_set(ob, "programs", ps = json_array());
		for (p = 0; ok && p < m->objects[o].nr_programs; p++)
			ok = cl_json_push(ps, program_json(m, o, &m->objects[o].programs[p]));
	}
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

static int write_json(const struct corelink_manifest *m, FILE *f)
{
	json_t *doc = corelink_report_json(m);
	int ret;

	if (!doc)
		return -ENOMEM;
	ret = cl_json_dump(doc, f);
	json_decref(doc);
	return ret;
}

int corelink_report_write(const struct corelink_manifest *m, enum corelink_report_format fmt,
			  FILE *f, struct btfdb_err *err)
{
	int ret = fmt == CORELINK_REPORT_JSON ? write_json(m, f)
		  : fmt == CORELINK_REPORT_HTML ? cl_report_html(m, f)
						: write_md(m, f);

	if (ret == -ENOMEM) {
		btfdb_err_set(err, "out of memory writing the report");
		return ret;
	}
	if (ret || ferror(f)) {
		btfdb_err_set(err, "cannot write the report");
		return -EIO;
	}
	return 0;
}
