#include "targets.h"
struct core_ptr_as_arr { int a; };
void f(struct core_ptr_as_arr x) {}
