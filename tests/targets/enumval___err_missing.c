#include "targets.h"
/* VAL2 is missing but its value is read: poison */
enum ev_named___err_missing { EV_NAMED_VAL1___err_missing = 1, EV_NAMED_VAL3___err_missing = 3 };
typedef enum { EV_ANON_VAL1___err_missing = 0x111, EV_ANON_VAL3___err_missing = 0x222 } ev_anon_t___err_missing;
struct core_enumval___err_missing { enum ev_named___err_missing f1; ev_anon_t___err_missing f2; };
void f(struct core_enumval___err_missing *x) {}
