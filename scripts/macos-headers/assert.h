/* Stand-in for the macOS SDK's assert.h (see TargetConditionals.h). */
#pragma once
#define assert(e) ((void)sizeof(e))
