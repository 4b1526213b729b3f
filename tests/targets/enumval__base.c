#include "targets.h"
enum ev_named { EV_NAMED_VAL1 = 1, EV_NAMED_VAL2 = 2, EV_NAMED_VAL3 = 3 };
typedef enum { EV_ANON_VAL1 = 0x10, EV_ANON_VAL2 = 0x20, EV_ANON_VAL3 = 0x30 } ev_anon_t;
struct core_enumval { enum ev_named f1; ev_anon_t f2; };
void f(struct core_enumval *x) {}
