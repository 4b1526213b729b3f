#include "targets.h"
/* none of the types exists */
struct core_type_based___all_missing { long unrelated; };
void f(struct core_type_based___all_missing *x) {}
