/* SPDX-License-Identifier: MIT */
/*
 * Pick the artifact for a host from a batch manifest (for loaders and for
 * `corelink pick`).
 *
 * Rules, in order:
 *  1. The object: the one named (exactly, or without ".o" / ".bpf.o"), or the
 *     only object name of the manifest; of several builds of that name (one
 *     per architecture), the one for the query's arch (or for every arch).
 *  2. Candidates: kernels whose release equals the query's exactly, and
 *     whose arch is the query's (x86_64 = amd64, aarch64 = arm64; a kernel
 *     with an empty arch matches any).
 *  3. Several left: keep those whose distro equals the query's (when that
 *     leaves any), then those whose version equals it (likewise).
 *  4. Still several: fine if they all name the same artifact (same bytes);
 *     otherwise ambiguous (-ENOTUNIQ) and the message lists them.
 *  5. None: -ENOENT; the message lists up to 3 kernels of the same arch
 *     whose release shares the longest prefix with the query's.
 * An object that failed on the chosen kernel is -ENOEXEC with its error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "batch_internal.h"
#include "btfdb_fileio.h"

static bool arch_match(const char *kernel, const char *query)
{
	return corelink_arch_match(kernel, query);
}

void corelink_pick_result_clear(struct corelink_pick_result *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->kernel);
	free(r->object);
	memset(r, 0, sizeof(*r));
}

/* Object o is called name: exactly, or name + ".o" / ".bpf.o". */
static bool name_is(const char *o, const char *name, bool exact)
{
	size_t n = strlen(name);

	if (exact)
		return !strcmp(o, name);
	return !strncmp(o, name, n) && (!strcmp(o + n, ".o") || !strcmp(o + n, ".bpf.o"));
}

/*
 * The object called name (NULL: the manifest's only name) built for arch:
 * the build whose arch matches (an arch-less build matches every arch).
 */
static int find_object(const struct corelink_manifest *m, const char *name, const char *arch,
		       struct btfdb_err *err)
{
	const char *found_name = NULL;
	size_t i;
	int pass, found = -1;

	for (pass = 0; pass < 2 && !found_name; pass++) {
		for (i = 0; i < m->nr_objects; i++) {
			const char *o = m->objects[i].name;

			if (name ? !name_is(o, name, pass == 0) : false)
				continue;
			if (!name && found_name && strcmp(found_name, o)) {
				btfdb_err_set(err, "the manifest holds several objects (%s, %s, ...): name one (--object)",
					      found_name, o);
				return -EINVAL;
			}
			if (found_name && strcmp(found_name, o)) {
				btfdb_err_set(err, "object '%s' is ambiguous (%s, %s)", name, found_name, o);
				return -EINVAL;
			}
			found_name = o;
		}
		if (!name)
			break;
	}
	if (!found_name) {
		btfdb_err_set(err, name ? "object '%s' is not in the manifest" : "the manifest holds no objects",
			      name);
		return -EINVAL;
	}
	/* among the builds of that name, the one for arch */
	for (i = 0; i < m->nr_objects; i++) {
		if (strcmp(m->objects[i].name, found_name) ||
		    !corelink_arch_match(m->objects[i].arch, arch))
			continue;
		if (found >= 0) {
			btfdb_err_set(err, "object '%s' has builds for several architectures (%s, %s): give the arch (--arch)",
				      found_name, m->objects[found].arch, m->objects[i].arch);
			return -EINVAL;
		}
		found = (int)i;
	}
	if (found < 0) {
		btfdb_err_set(err, "object '%s' has no build for arch '%s'", found_name, arch);
		return -EINVAL;
	}
	return found;
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* "no kernel with release R; closest: a, b, c" */
static void no_match(const struct corelink_manifest *m, const struct corelink_pick_query *q,
		     struct btfdb_err *err)
{
	size_t best[3] = { 0 }, bestlen[3] = { 0 }, nb = 0, i, j;
	char list[384] = "", id[512];

	for (i = 0; i < m->nr_kernels; i++) {
		size_t len;

		if (!arch_match(m->kernels[i].arch, q->arch))
			continue;
		len = common_prefix(m->kernels[i].release, q->release);
		/* insertion into the top 3 (stable: earlier kernels win ties) */
		for (j = nb < 3 ? nb : 3; j > 0 && bestlen[j - 1] < len; j--) {
			if (j < 3) {
				best[j] = best[j - 1];
				bestlen[j] = bestlen[j - 1];
			}
		}
		if (j < 3) {
			best[j] = i;
			bestlen[j] = len;
			if (nb < 3)
				nb++;
		}
	}
	for (i = 0; i < nb; i++) {
		size_t l = strlen(list);

		snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "",
			 corelink_mf_kernel_id(&m->kernels[best[i]], id, sizeof(id)));
	}
	btfdb_err_set(err, "no kernel in the manifest matches release '%s' arch '%s'%s%s",
		      q->release, q->arch ? q->arch : "any", nb ? "; closest: " : "", list);
}

int corelink_pick_manifest(const struct corelink_manifest *m, const char *base_dir,
			   const struct corelink_pick_query *q, struct corelink_pick_result *res,
			   struct btfdb_err *err)
{
	size_t *cand = NULL, nc = 0, i, keep;
	const struct corelink_mf_entry *e;
	const struct corelink_mf_kernel *k;
	char id[512];
	int obj, ret = 0;

	memset(res, 0, sizeof(*res));
	if (!q || !q->release || !q->release[0]) {
		btfdb_err_set(err, "no kernel release to match");
		return -EINVAL;
	}
	obj = find_object(m, q->object, q->arch, err);
	if (obj < 0)
		return obj;
	cand = calloc(m->nr_kernels ? m->nr_kernels : 1, sizeof(*cand));
	if (!cand) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < m->nr_kernels; i++)
		if (!strcmp(m->kernels[i].release, q->release) && arch_match(m->kernels[i].arch, q->arch) &&
		    m->kernels[i].entries[obj].status != CORELINK_ENTRY_SKIPPED)
			cand[nc++] = i;
	if (!nc) {
		no_match(m, q, err);
		ret = -ENOENT;
		goto out;
	}
	/* 3. narrow by distro, then version, when that leaves something */
	if (nc > 1 && q->distro && q->distro[0]) {
		for (i = keep = 0; i < nc; i++)
			if (!strcmp(m->kernels[cand[i]].distro, q->distro))
				cand[keep++] = cand[i];
		if (keep)
			nc = keep;
	}
	if (nc > 1 && q->version && q->version[0]) {
		for (i = keep = 0; i < nc; i++)
			if (!strcmp(m->kernels[cand[i]].version, q->version))
				cand[keep++] = cand[i];
		if (keep)
			nc = keep;
	}
	/* 4. several left: they must agree */
	for (i = 1; i < nc; i++) {
		const struct corelink_mf_entry *a = &m->kernels[cand[0]].entries[obj];
		const struct corelink_mf_entry *b = &m->kernels[cand[i]].entries[obj];
		char id2[512];

		if (a->status != b->status || !a->artifact || !b->artifact ||
		    strcmp(a->artifact, b->artifact)) {
			btfdb_err_set(err, "release '%s' is ambiguous: %s and %s have different artifacts (give --distro/--version)",
				      q->release,
				      corelink_mf_kernel_id(&m->kernels[cand[0]], id, sizeof(id)),
				      corelink_mf_kernel_id(&m->kernels[cand[i]], id2, sizeof(id2)));
			ret = -ENOTUNIQ;
			goto out;
		}
	}
	k = &m->kernels[cand[0]];
	e = &k->entries[obj];
	corelink_mf_kernel_id(k, id, sizeof(id));
	if (e->status == CORELINK_ENTRY_ERROR) {
		btfdb_err_set(err, "%s failed on kernel %s: %s", m->objects[obj].name, id,
			      e->error ? e->error : "error");
		ret = -ENOEXEC;
		goto out;
	}
	res->path = cl_path_join(base_dir ? base_dir : ".", e->artifact);
	res->kernel = strdup(id);
	res->object = strdup(m->objects[obj].name);
	res->status = e->status;
	for (i = 0; i < e->nr_poison; i++)
		res->unguarded += !e->poison[i].guarded;
	if (!res->path || !res->kernel || !res->object) {
		corelink_pick_result_clear(res);
		btfdb_err_set(err, "out of memory");
		ret = -ENOMEM;
	}
out:
	free(cand);
	return ret;
}

/* Value of KEY=... in an os-release file (quotes removed), into out. */
static void os_release_get(const char *text, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);
	const char *l = text;

	while (l && *l) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);

		if (len > kl && !strncmp(l, key, kl) && l[kl] == '=') {
			const char *v = l + kl + 1;
			size_t vl = len - kl - 1;

			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
				v++;
				vl -= 2;
			}
			if (vl >= size)
				vl = size - 1;
			memcpy(out, v, vl);
			out[vl] = 0;
			return;
		}
		l = eol ? eol + 1 : NULL;
	}
}

int corelink_host_detect(struct corelink_host *h, const char *os_release, struct btfdb_err *err)
{
	struct utsname u;
	char *text = NULL;
	size_t size;

	memset(h, 0, sizeof(*h));
	if (uname(&u) < 0) {
		btfdb_err_set(err, "uname: %s", strerror(errno));
		return -errno;
	}
	snprintf(h->release, sizeof(h->release), "%.*s", (int)sizeof(u.release), u.release);
	snprintf(h->arch, sizeof(h->arch), "%.*s", (int)sizeof(u.machine), u.machine);
	if (os_release) {
		if (cl_read_file(os_release, 1 << 20, &text, &size, NULL))
			text = NULL;
	} else if (cl_read_file("/etc/os-release", 1 << 20, &text, &size, NULL) &&
		   cl_read_file("/usr/lib/os-release", 1 << 20, &text, &size, NULL)) {
		text = NULL;
	}
	if (text) {
		os_release_get(text, "ID", h->distro, sizeof(h->distro));
		os_release_get(text, "VERSION_ID", h->version, sizeof(h->version));
		free(text);
	}
	return 0;
}

int corelink_pick(const char *manifest_path, const struct corelink_pick_query *q,
		  struct corelink_pick_result *res, struct btfdb_err *err)
{
	struct corelink_manifest *m = NULL;
	struct corelink_pick_query hq;
	struct corelink_host host;
	char *dir;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!q) {
		if ((ret = corelink_host_detect(&host, NULL, err)))
			return ret;
		hq = (struct corelink_pick_query){ .release = host.release, .arch = host.arch,
						   .distro = host.distro, .version = host.version };
		q = &hq;
	}
	if ((ret = corelink_manifest_load(manifest_path, &m, err)))
		return ret;
	dir = btfdb_fileio_dirname(manifest_path);
	if (!dir) {
		corelink_manifest_free(m);
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	ret = corelink_pick_manifest(m, dir, q, res, err);
	free(dir);
	corelink_manifest_free(m);
	return ret;
}
