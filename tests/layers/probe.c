/* SPDX-License-Identifier: MIT */
/* Compiled with one layer's include path: includes LAYERS_PROBE_HEADER
 * (tests/layers/CMakeLists.txt says which compile and which must not). */
#include LAYERS_PROBE_HEADER

int layers_probe;
