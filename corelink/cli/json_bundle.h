/* SPDX-License-Identifier: MIT */
/*
 * The -j/--json documents of `corelink bundle ls/get/verify`
 * (json_bundle.c): built from a bundle as the runtime reads it (the CLI
 * links the runtime; the corelink library does not).  Schemas:
 * docs/schema/corelink-bundle-{ls,get,verify}.schema.json.  NULL when out of memory.
 */
#ifndef CORELINK_CLI_JSON_BUNDLE_H
#define CORELINK_CLI_JSON_BUNDLE_H

#include <jansson.h>

#include "corelink_bundle.h"

/* "corelink-bundle-ls": objects, artifacts, kernels with each object's entry. */
json_t *cl_json_bundle_ls(const char *path, const struct corelink_bundle *b);
/* "corelink-bundle-get": what was chosen for the host (ch) and written to output. */
json_t *cl_json_bundle_get(const char *path, const struct corelink_bundle *b,
			   const struct corelink_bundle_choice *ch, const char *output);
/* "corelink-bundle-verify" (passed): counts and the bytes rebuilt. */
json_t *cl_json_bundle_verify(const char *path, const struct corelink_bundle *b, uint64_t bytes);

#endif
