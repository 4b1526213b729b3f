/* SPDX-License-Identifier: MIT */
/*
 * bundle_dump: the runtime alone (C99, libc; linked with libcorelink-bundle.a
 * and nothing else) rebuilds every kernel x object of a bundle, selecting
 * each by the kernel's identity as a host would (release, arch, distro,
 * version; no BTF fallback), into OUTDIR/<kernel index>.<object name>.
 *
 *   bundle_dump BUNDLE OUTDIR [logical]   one line per entry: "<k> <object> <how> <status>"
 *
 * Error entries print "<k> <object> error <message>".  Exit 0, or 1 on any failure.
 * With "logical", an object built per arch (one record per build, one name)
 * is selected by its name once per kernel: the runtime picks the build for
 * the kernel's arch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corelink_bundle.h"

int main(int argc, char **argv)
{
	struct corelink_bundle *b;
	struct corelink_bundle_err err;
	uint32_t k, o;
	int rc = 0, logical = argc == 4 && !strcmp(argv[3], "logical");

	if (argc != 3 && !logical) {
		fprintf(stderr, "usage: bundle_dump BUNDLE OUTDIR [logical]\n");
		return 2;
	}
	if (corelink_bundle_open_file(argv[1], &b, &err)) {
		fprintf(stderr, "bundle_dump: %s\n", err.msg);
		return 1;
	}
	for (k = 0; k < corelink_bundle_nr_kernels(b); k++) {
		struct corelink_bundle_kernel kr;

		corelink_bundle_kernel(b, k, &kr);
		for (o = 0; o < corelink_bundle_nr_objects(b); o++) {
			struct corelink_bundle_object ob;
			struct corelink_bundle_query q;
			struct corelink_bundle_choice c;
			char path[4096], name[256];
			void *buf;
			FILE *f;
			int ret;
			uint32_t p;

			corelink_bundle_object(b, o, &ob);
			snprintf(name, sizeof(name), "%s", ob.name);
			if (logical) {
				/* NAME once: skip the later builds of an earlier object's NAME */
				for (p = 0; p < o; p++) {
					struct corelink_bundle_object ob2;

					corelink_bundle_object(b, p, &ob2);
					if (!strcmp(ob2.name, name))
						break;
				}
				if (p < o)
					continue;
			}
			memset(&q, 0, sizeof(q));
			q.object = name;
			q.release = kr.release;
			q.arch = kr.arch;
			q.distro = kr.distro;
			q.version = kr.version;
			q.btf_path = "";
			ret = corelink_bundle_select(b, &q, &c, &err);
			if (ret) {
				printf("%u %s error %s\n", k, name, err.msg);
				continue;
			}
			if (c.kernel != k) {
				fprintf(stderr, "bundle_dump: kernel %u selected %u\n", k, c.kernel);
				rc = 1;
				continue;
			}
			buf = malloc(c.size ? (size_t)c.size : 1);
			if (!buf || corelink_bundle_materialize(b, &c, buf, (size_t)c.size, &err)) {
				fprintf(stderr, "bundle_dump: kernel %u %s: %s\n", k, name,
					buf ? err.msg : "out of memory");
				free(buf);
				rc = 1;
				continue;
			}
			snprintf(path, sizeof(path), "%s/%u.%s", argv[2], k, name);
			f = fopen(path, "wb");
			if (!f || fwrite(buf, 1, (size_t)c.size, f) != (size_t)c.size || fclose(f)) {
				fprintf(stderr, "bundle_dump: cannot write %s\n", path);
				rc = 1;
			}
			printf("%u %s %s %s\n", k, name, corelink_bundle_how_str(c.how),
			       corelink_bundle_status_str(c.status));
			free(buf);
		}
	}
	corelink_bundle_close(b);
	return rc;
}
