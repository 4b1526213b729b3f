#include "targets.h"
enum ev_named___val3_missing { EV_NAMED_VAL1___val3_missing = 111, EV_NAMED_VAL2___val3_missing = 222 };
typedef enum { EV_ANON_VAL1___val3_missing = 0x111, EV_ANON_VAL2___val3_missing = 0x222 } ev_anon_t___val3_missing;
struct core_enumval___val3_missing { enum ev_named___val3_missing f1; ev_anon_t___val3_missing f2; };
void f(struct core_enumval___val3_missing *x) {}
