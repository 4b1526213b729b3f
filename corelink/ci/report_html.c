/* SPDX-License-Identifier: MIT */
/*
 * The portability report as one self-contained HTML page: no network (CSS
 * and script inline, no URL anywhere), readable for thousands of kernels.
 *
 *  - Columns: every (object name, program) of the manifest, one column for
 *    all builds of a name (an x86_64 and an arm64 build of probe.bpf.o share
 *    their columns; each kernel's cell comes from the build of its arch).
 *  - Rows: kernels, in nested collapsible groups distro > version > arch
 *    (<details>; the page is complete without its script), each group's
 *    summary counting its kernels by their worst status.
 *  - Cells: colored by status (class s-ok, s-guarded, s-poisoned, s-error,
 *    s-na for "no build of this object for the kernel's arch" or "no such
 *    program in that build"); the title of a cell that is not ok lists the
 *    poisoned relocations (instruction, kind, access, reason) or the error.
 *  - The script (optional) adds expand/collapse all, a filter on kernel
 *    names, "only kernels with failures", and a details panel for the
 *    clicked cell; when it has run it sets <body data-ready="1"> and adds
 *    <div id="corelink-ready">, which tests look for.
 *
 * Structure for tools (tests/batch/check_html.py): rows are
 * <tr class="k k-STATUS" data-kernel="distro/version/arch/release">, the
 * header cells <th class="col" data-object=... data-program=...>, and each
 * row's <td> follow the header's columns in order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch_internal.h"

static const char *const st_class[] = { "s-ok", "s-guarded", "s-poisoned", "s-error", "s-na" };
static const char *const st_word[] = { "ok", "guarded", "poisoned", "error", "n/a" };

/* Text or attribute value, escaped. */
static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\n': fputs("&#10;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* One column: a program of an object name (any build). */
struct col {
	const char *object, *program, *section;
};

struct html {
	const struct corelink_manifest *m;
	FILE *f;
	struct col *cols;
	size_t nr_cols;
	int *kst;  /* per kernel: worst status over its cells (CL_PSTAT_*; NA when none) */
};

static int collect_cols(struct html *h)
{
	const struct corelink_manifest *m = h->m;
	size_t o, p, c, total = 0;

	for (o = 0; o < m->nr_objects; o++)
		total += m->objects[o].nr_programs;
	h->cols = calloc(total ? total : 1, sizeof(*h->cols));
	if (!h->cols)
		return -ENOMEM;
	for (o = 0; o < m->nr_objects; o++) {
		const struct corelink_mf_object *ob = &m->objects[o];

		for (p = 0; p < ob->nr_programs; p++) {
			for (c = 0; c < h->nr_cols; c++)
				if (!strcmp(h->cols[c].object, ob->name) &&
				    !strcmp(h->cols[c].program, ob->programs[p].name))
					break;
			if (c < h->nr_cols)
				continue; /* the same program of another arch's build */
			h->cols[h->nr_cols++] = (struct col){ ob->name, ob->programs[p].name,
							      ob->programs[p].section };
		}
	}
	return 0;
}

/* Kernel k's cell in column c: the status, the entry and program (NULL when n/a). */
static int cell(const struct html *h, size_t k, size_t c, const struct corelink_mf_entry **ep,
		const struct corelink_mf_program **pp)
{
	const struct corelink_manifest *m = h->m;
	const struct corelink_mf_kernel *kk = &m->kernels[k];
	size_t o, p;

	*ep = NULL;
	*pp = NULL;
	for (o = 0; o < m->nr_objects; o++) {
		const struct corelink_mf_object *ob = &m->objects[o];

		if (strcmp(ob->name, h->cols[c].object) ||
		    kk->entries[o].status == CORELINK_ENTRY_SKIPPED)
			continue;
		for (p = 0; p < ob->nr_programs; p++) {
			if (strcmp(ob->programs[p].name, h->cols[c].program))
				continue;
			*ep = &kk->entries[o];
			*pp = &ob->programs[p];
			return cl_prog_status(*ep, *pp);
		}
	}
	return CL_PSTAT_NA;
}

static void kernel_status(struct html *h)
{
	size_t k, c;

	for (k = 0; k < h->m->nr_kernels; k++) {
		int worst = -1;

		for (c = 0; c < h->nr_cols; c++) {
			const struct corelink_mf_entry *e;
			const struct corelink_mf_program *p;
			int s = cell(h, k, c, &e, &p);

			if (s != CL_PSTAT_NA && s > worst)
				worst = s;
		}
		h->kst[k] = worst < 0 ? CL_PSTAT_NA : worst;
	}
}

static const char *const css =
	"body{font:13px/1.4 system-ui,sans-serif;margin:1em;color:#222}"
	"h1{font-size:1.4em;margin:.2em 0}"
	".meta{color:#555}"
	".b{display:inline-block;min-width:1.6em;padding:0 .35em;margin-right:.25em;border-radius:3px;text-align:center;font-size:12px}"
	".s-ok{background:#3c9a4a;color:#fff}.s-guarded{background:#9ccc65}.s-poisoned{background:#f0a030}"
	".s-error{background:#d9363e;color:#fff}.s-na{background:#e4e4e4;color:#888}"
	"table{border-collapse:collapse}"
	"table.sum td,table.sum th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left}"
	"table.sum td.n{text-align:right}"
	"details{margin-left:1em}details>summary{cursor:pointer;padding:1px 0}"
	"details.g1{margin-left:0}summary .name{font-weight:600;margin-right:.6em}"
	"table.m th.col{font-weight:normal;font-size:11px;min-width:1.4em;color:#444}"
	"table.m td{width:14px;height:14px;border:1px solid #fff;padding:0;cursor:pointer}"
	"table.m th.kn{text-align:left;font-weight:normal;padding-right:.8em;white-space:nowrap;font-family:monospace}"
	"tr.hide{display:none}"
	"#controls{margin:.6em 0}#controls input[type=text]{width:22em}"
	"#panel{position:fixed;bottom:0;left:0;right:0;max-height:35%;overflow:auto;background:#fffbe6;"
	"border-top:2px solid #caa;padding:.5em 1em;white-space:pre-wrap;font-family:monospace;display:none}";

/* The script: only enhancements; the page reads the same without it. */
static const char *const js =
	"(function(){'use strict';"
	"var D=document;"
	"function all(s){return Array.prototype.slice.call(D.querySelectorAll(s));}"
	"function setOpen(v){all('details').forEach(function(d){d.open=v;});}"
	"D.getElementById('expand').onclick=function(){setOpen(true);};"
	"D.getElementById('collapse').onclick=function(){setOpen(false);};"
	"var filt=D.getElementById('filter'),bad=D.getElementById('onlybad');"
	"function apply(){var q=filt.value.toLowerCase(),b=bad.checked;"
	"all('tr.k').forEach(function(r){var k=r.getAttribute('data-kernel').toLowerCase();"
	"var hide=(q&&k.indexOf(q)<0)||(b&&!(r.classList.contains('k-poisoned')||r.classList.contains('k-error')));"
	"r.classList.toggle('hide',hide);});}"
	"filt.oninput=apply;bad.onchange=apply;"
	"var panel=D.getElementById('panel');"
	"D.addEventListener('click',function(ev){var t=ev.target;if(t.tagName!=='TD')return;"
	"var r=t.parentNode,i=Array.prototype.indexOf.call(r.children,t)-1,th=r.closest('table').querySelectorAll('th.col')[i];"
	"panel.textContent=r.getAttribute('data-kernel')+'\\n'+th.getAttribute('data-object')+': '+th.getAttribute('data-program')+'\\n'+(t.title||t.className.replace('s-',''));"
	"panel.style.display='block';});"
	"panel.onclick=function(){panel.style.display='none';};"
	"var m=D.createElement('div');m.id='corelink-ready';m.hidden=true;D.body.appendChild(m);"
	"D.body.setAttribute('data-ready','1');"
	"})();";

/* A cell's title: what went wrong (empty for ok and n/a). */
static void cell_title(FILE *f, int s, const struct corelink_mf_entry *e,
		       const struct corelink_mf_program *p)
{
	size_t i;
	bool first = true;

	if (s == CL_PSTAT_ERROR) {
		fputs(" title=\"error: ", f);
		esc(f, e->error ? e->error : "?");
		fputc('"', f);
		return;
	}
	if (s != CL_PSTAT_GUARDED && s != CL_PSTAT_POISONED)
		return;
	fprintf(f, " title=\"%s", st_word[s]);
	for (i = 0; i < e->nr_poison; i++) {
		const struct corelink_mf_poison *z = &e->poison[i];

		if (!cl_poison_in_prog(z, p))
			continue;
		fprintf(f, "%sinsn %u %s%s ", first ? ": " : "&#10;", z->insn, z->kind,
			z->guarded ? " (guarded)" : "");
		esc(f, z->spec);
		fputs(": ", f);
		esc(f, z->reason);
		first = false;
	}
	fputc('"', f);
}

static void header_row(const struct html *h)
{
	size_t c;

	fputs("<thead><tr><th></th>", h->f);
	for (c = 0; c < h->nr_cols; c++) {
		fputs("<th class=\"col\" data-object=\"", h->f);
		esc(h->f, h->cols[c].object);
		fputs("\" data-program=\"", h->f);
		esc(h->f, h->cols[c].program);
		fputs("\" title=\"", h->f);
		esc(h->f, h->cols[c].object);
		fputs(": ", h->f);
		esc(h->f, h->cols[c].program);
		fprintf(h->f, "\">%zu</th>", c + 1);
	}
	fputs("</tr></thead>\n", h->f);
}

static void kernel_row(const struct html *h, size_t k)
{
	const struct corelink_mf_kernel *kk = &h->m->kernels[k];
	char id[1024];
	size_t c;

	/* k-ok, k-guarded, k-poisoned, k-error, k-na: the worst of its cells */
	fprintf(h->f, "<tr class=\"k k-%s\" data-kernel=\"", st_class[h->kst[k]] + 2);
	esc(h->f, corelink_mf_kernel_id(kk, id, sizeof(id)));
	fputs("\"><th class=\"kn\">", h->f);
	esc(h->f, kk->release);
	fputs("</th>", h->f);
	for (c = 0; c < h->nr_cols; c++) {
		const struct corelink_mf_entry *e;
		const struct corelink_mf_program *p;
		int s = cell(h, k, c, &e, &p);

		fprintf(h->f, "<td class=\"%s\"", st_class[s]);
		cell_title(h->f, s, e, p);
		fputs("></td>", h->f);
	}
	fputs("</tr>\n", h->f);
}

/* Badges counting the kernels [from, to) by status. */
static void badges(const struct html *h, size_t from, size_t to)
{
	size_t cnt[CL_PSTAT_NR + 1] = { 0 }, k;
	int s;

	for (k = from; k < to; k++)
		cnt[h->kst[k]]++;
	for (s = 0; s <= CL_PSTAT_NR; s++)
		if (cnt[s])
			fprintf(h->f, "<span class=\"b %s\" title=\"%s\">%zu</span>", st_class[s],
				st_word[s], cnt[s]);
}

/* Where kernels k and j first differ: 0 distro, 1 version, 2 arch, 3 same group. */
static int group_level(const struct corelink_mf_kernel *a, const struct corelink_mf_kernel *b)
{
	if (strcmp(a->distro, b->distro))
		return 0;
	if (strcmp(a->version, b->version))
		return 1;
	if (strcmp(a->arch, b->arch))
		return 2;
	return 3;
}

/* The end of the group of level lvl (0..2) that starts at kernel k. */
static size_t group_end(const struct html *h, size_t k, int lvl)
{
	size_t j = k + 1;

	while (j < h->m->nr_kernels && group_level(&h->m->kernels[k], &h->m->kernels[j]) > lvl)
		j++;
	return j;
}

static void groups(const struct html *h)
{
	const struct corelink_manifest *m = h->m;
	bool open1 = m->nr_kernels <= 300;
	size_t k = 0;

	while (k < m->nr_kernels) {
		size_t e1 = group_end(h, k, 0);

		fprintf(h->f, "<details class=\"g1\"%s><summary><span class=\"name\">", open1 ? " open" : "");
		esc(h->f, m->kernels[k].distro[0] ? m->kernels[k].distro : "(no distro)");
		fputs("</span>", h->f);
		badges(h, k, e1);
		fputs("</summary>\n", h->f);
		while (k < e1) {
			size_t e2 = group_end(h, k, 1);

			fputs("<details class=\"g2\" open><summary><span class=\"name\">", h->f);
			esc(h->f, m->kernels[k].version[0] ? m->kernels[k].version : "(no version)");
			fputs("</span>", h->f);
			badges(h, k, e2);
			fputs("</summary>\n", h->f);
			while (k < e2) {
				size_t e3 = group_end(h, k, 2), j;

				fputs("<details class=\"g3\" open><summary><span class=\"name\">", h->f);
				esc(h->f, m->kernels[k].arch[0] ? m->kernels[k].arch : "(no arch)");
				fputs("</span>", h->f);
				badges(h, k, e3);
				fputs("</summary>\n<table class=\"m\">", h->f);
				header_row(h);
				fputs("<tbody>\n", h->f);
				for (j = k; j < e3; j++)
					kernel_row(h, j);
				fputs("</tbody></table></details>\n", h->f);
				k = e3;
			}
			fputs("</details>\n", h->f);
		}
		fputs("</details>\n", h->f);
	}
}

/* Per column: counts over the kernels it applies to. */
static void summary(const struct html *h)
{
	size_t c, k;
	int s;

	fputs("<table class=\"sum\"><thead><tr><th>#</th><th>object</th><th>program</th><th>section</th>", h->f);
	for (s = 0; s < CL_PSTAT_NR; s++)
		fprintf(h->f, "<th><span class=\"b %s\">%s</span></th>", st_class[s], st_word[s]);
	fputs("</tr></thead><tbody>\n", h->f);
	for (c = 0; c < h->nr_cols; c++) {
		size_t cnt[CL_PSTAT_NR + 1] = { 0 };

		for (k = 0; k < h->m->nr_kernels; k++) {
			const struct corelink_mf_entry *e;
			const struct corelink_mf_program *p;

			cnt[cell(h, k, c, &e, &p)]++;
		}
		fprintf(h->f, "<tr><td>%zu</td><td>", c + 1);
		esc(h->f, h->cols[c].object);
		fputs("</td><td>", h->f);
		esc(h->f, h->cols[c].program);
		fputs("</td><td>", h->f);
		esc(h->f, h->cols[c].section);
		fputs("</td>", h->f);
		for (s = 0; s < CL_PSTAT_NR; s++)
			fprintf(h->f, "<td class=\"n\">%zu</td>", cnt[s]);
		fputs("</tr>\n", h->f);
	}
	fputs("</tbody></table>\n", h->f);
}

int cl_report_html(const struct corelink_manifest *m, FILE *f)
{
	struct html h = { .m = m, .f = f };
	size_t o;
	int s;

	if (collect_cols(&h) || !(h.kst = calloc(m->nr_kernels ? m->nr_kernels : 1, sizeof(*h.kst)))) {
		free(h.cols);
		return -ENOMEM;
	}
	kernel_status(&h);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<title>corelink portability report</title>\n<style>%s</style></head>\n<body>\n",
		css);
	fprintf(f, "<h1>corelink portability report</h1>\n<p class=\"meta\">%zu kernel(s), %zu program column(s) of",
		m->nr_kernels, h.nr_cols);
	for (o = 0; o < m->nr_objects; o++) {
		fputs(o ? ", " : " ", f);
		esc(f, m->objects[o].name);
		if (cl_s0(m->objects[o].arch)[0]) {
			fputs(" [", f);
			esc(f, m->objects[o].arch);
			fputc(']', f);
		}
	}
	fputs(". Legend:", f);
	for (s = 0; s <= CL_PSTAT_NR; s++)
		fprintf(f, " <span class=\"b %s\">%s</span>", st_class[s], st_word[s]);
	fputs("<br>ok: relocated cleanly; guarded: poisoned instructions the program cannot reach "
	      "(a heuristic: expected to load); poisoned: a poisoned instruction that may be reached "
	      "(the verifier rejects the program); error: not relocated; n/a: no build of the object "
	      "for the kernel's arch. Hover or click a cell for the missing fields and reasons.</p>\n", f);
	summary(&h);
	fputs("<div id=\"controls\"><button id=\"expand\">expand all</button> <button id=\"collapse\">"
	      "collapse all</button> <input type=\"text\" id=\"filter\" placeholder=\"filter kernels "
	      "(distro/version/arch/release)\"> <label><input type=\"checkbox\" id=\"onlybad\"> only "
	      "kernels with poisoned or error cells</label></div>\n<div id=\"matrix\">\n", f);
	groups(&h);
	fprintf(f, "</div>\n<div id=\"panel\"></div>\n<script>%s</script>\n</body></html>\n", js);
	free(h.cols);
	free(h.kst);
	return 0;
}
