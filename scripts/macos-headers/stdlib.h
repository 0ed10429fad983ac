/* Stand-in for the macOS SDK's stdlib.h (see TargetConditionals.h). */
#pragma once
#include <stddef.h>
void abort(void);
void *malloc(size_t size);
void free(void *ptr);
