/* SPDX-License-Identifier: MIT */
/* The -j/--json documents of corelink bundle ls/get/verify (json_bundle.h). */
#include <stdio.h>

#include "btfdb_json.h"
#include "corelink_json.h"
#include "json_bundle.h"

#define SET(o, k, v) btfdb_json_set((o), (k), (v))

static json_t *bundle_doc(const char *name, const char *path)
{
	json_t *doc = btfdb_json_doc("corelink", name);

	if (doc && SET(doc, "bundle", btfdb_json_str(path)))
		return doc;
	json_decref(doc);
	return NULL;
}

/* "%08x": a bundle keeps the low 32 bits of each kernel's BTF hash (format version 2). */
static json_t *hex32(uint32_t v)
{
	char buf[9];

	snprintf(buf, sizeof(buf), "%08x", v);
	return json_string(buf);
}

/* {distro, version, arch, release, btf_hash} of kernel i. */
static json_t *kernel_json(const struct corelink_bundle *b, uint32_t i)
{
	struct corelink_bundle_kernel k;
	json_t *kj = json_object();

	if (kj && corelink_bundle_kernel(b, i, &k) == 0 &&
	    SET(kj, "distro", btfdb_json_str(k.distro)) &&
	    SET(kj, "version", btfdb_json_str(k.version)) && SET(kj, "arch", btfdb_json_str(k.arch)) &&
	    SET(kj, "release", btfdb_json_str(k.release)) &&
	    SET(kj, "btf_hash", hex32(k.btf_hash)))
		return kj;
	json_decref(kj);
	return NULL;
}

static json_t *artifact_json(const struct corelink_bundle *b, uint32_t i)
{
	struct corelink_bundle_artifact a;
	json_t *aj = json_object();

	if (!aj || corelink_bundle_artifact(b, i, &a)) {
		json_decref(aj);
		return NULL;
	}
	if (SET(aj, "index", json_integer(i)) && SET(aj, "object", json_integer(a.object)) &&
	    SET(aj, "size", corelink_json_u64(a.size)) &&
	    SET(aj, "encoding",
		json_string(a.encoding == CORELINK_BUNDLE_ENC_DELTA ? "delta" : "patch")) &&
	    SET(aj, "data_size", corelink_json_u64(a.data_size)) &&
	    SET(aj, "hash", btfdb_json_hex64(a.hash)) &&
	    SET(aj, "unguarded", json_integer(a.unguarded)))
		return aj;
	json_decref(aj);
	return NULL;
}

json_t *cl_json_bundle_ls(const char *path, const struct corelink_bundle *b)
{
	json_t *doc = bundle_doc("bundle-ls", path), *os = json_array(), *as = json_array(),
	       *ks = json_array(), *o, *k, *es, *e;
	uint32_t i, j, no = corelink_bundle_nr_objects(b);
	bool ok = doc && os && as && ks && SET(doc, "objects", json_incref(os)) &&
		  SET(doc, "artifacts", json_incref(as)) && SET(doc, "kernels", json_incref(ks));

	for (i = 0; ok && i < no; i++) {
		struct corelink_bundle_object ob;

		ok = corelink_bundle_object(b, i, &ob) == 0 && btfdb_json_push(os, o = json_object()) &&
		     SET(o, "name", btfdb_json_str(ob.name)) &&
		     SET(o, "arch", ob.arch[0] ? btfdb_json_str(ob.arch) : json_null()) &&
		     SET(o, "original_size", corelink_json_u64(ob.orig_size)) &&
		     SET(o, "artifacts", json_integer(ob.nr_artifacts)) &&
		     SET(o, "first_artifact", json_integer(ob.first_artifact)) &&
		     SET(o, "base", ob.base == CORELINK_BUNDLE_NONE ? json_null()
								    : json_integer(ob.base));
	}
	for (i = 0; ok && i < corelink_bundle_nr_artifacts(b); i++)
		ok = btfdb_json_push(as, artifact_json(b, i));
	for (i = 0; ok && i < corelink_bundle_nr_kernels(b); i++) {
		ok = btfdb_json_push(ks, k = kernel_json(b, i)) && SET(k, "entries", es = json_array());
		for (j = 0; ok && j < no; j++) {
			struct corelink_bundle_entry en;
			struct corelink_bundle_object ob;

			ok = corelink_bundle_entry(b, i, j, &en) == 0 &&
			     corelink_bundle_object(b, j, &ob) == 0 &&
			     btfdb_json_push(es, e = json_object()) &&
			     SET(e, "object", json_integer(j)) &&
			     SET(e, "name", btfdb_json_str(ob.name)) &&
			     SET(e, "status", json_string(corelink_bundle_status_str(en.status))) &&
			     SET(e, "artifact", en.artifact == CORELINK_BUNDLE_NONE
							? json_null()
							: json_integer(en.artifact)) &&
			     SET(e, "unguarded", json_integer(en.unguarded)) &&
			     SET(e, "error", en.status == CORELINK_BUNDLE_ERROR
						     ? btfdb_json_str(en.message)
						     : json_null());
		}
	}
	json_decref(os);
	json_decref(as);
	json_decref(ks);
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

json_t *cl_json_bundle_get(const char *path, const struct corelink_bundle *b,
			   const struct corelink_bundle_choice *ch, const char *output)
{
	json_t *doc = bundle_doc("bundle-get", path), *h = json_object();
	struct corelink_bundle_object ob;
	bool exact = ch->how == CORELINK_BUNDLE_EXACT;
	bool ok = doc && h && corelink_bundle_object(b, ch->object, &ob) == 0 &&
		  SET(doc, "output", btfdb_json_str(output)) &&
		  SET(doc, "object", btfdb_json_str(ob.name)) &&
		  SET(doc, "how", json_string(corelink_bundle_how_str(ch->how))) &&
		  SET(doc, "host", json_incref(h)) && SET(h, "release", btfdb_json_str(ch->release)) &&
		  SET(h, "arch", btfdb_json_str(ch->arch)) &&
		  SET(h, "distro", btfdb_json_str(ch->distro)) &&
		  SET(h, "version", btfdb_json_str(ch->version)) &&
		  SET(doc, "kernel", exact ? kernel_json(b, ch->kernel) : json_null()) &&
		  SET(doc, "artifact", exact ? json_integer(ch->artifact) : json_null()) &&
		  SET(doc, "status", exact ? json_string(corelink_bundle_status_str(ch->status))
					   : json_null()) &&
		  SET(doc, "unguarded", json_integer(exact ? ch->unguarded : 0)) &&
		  SET(doc, "bytes", corelink_json_u64(ch->size));

	json_decref(h);
	if (!ok)
		json_decref(doc);
	return ok ? doc : NULL;
}

json_t *cl_json_bundle_verify(const char *path, const struct corelink_bundle *b, uint64_t bytes)
{
	json_t *doc = bundle_doc("bundle-verify", path);

	if (doc && SET(doc, "ok", json_true()) &&
	    SET(doc, "objects", json_integer(corelink_bundle_nr_objects(b))) &&
	    SET(doc, "artifacts", json_integer(corelink_bundle_nr_artifacts(b))) &&
	    SET(doc, "rebuilt_bytes", corelink_json_u64(bytes)) &&
	    SET(doc, "kernels", json_integer(corelink_bundle_nr_kernels(b))))
		return doc;
	json_decref(doc);
	return NULL;
}
