#include "targets.h"
/* none of the named types (not even int) */
struct core_type_id___missing_targets { long x; };
void f(struct core_type_id___missing_targets *x) {}
