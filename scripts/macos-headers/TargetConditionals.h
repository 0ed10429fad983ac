/* Stand-in for the macOS SDK's TargetConditionals.h, for `cargo clippy --target *-apple-darwin`
 * on Linux (scripts/check-platforms): enough for ring's C to compile, never to link. */
#pragma once
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_VISION 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_OS_MACCATALYST 0
