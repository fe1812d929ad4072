// The process allocator's settings, applied first thing in main() of the binaries linked with
// mimalloc (cmake/Optimization.cmake). Elsewhere this does nothing.
#pragma once

#if defined(MODELGATE_MIMALLOC)
#include <mimalloc.h>

#include <cstdlib>
#endif

namespace mg {

inline void configure_allocator() {
#if defined(MODELGATE_MIMALLOC)
  // Segments get MADV_HUGEPAGE (transparent huge pages where the kernel offers them): a scan
  // touches hundreds of MB of fresh heap, and 4 KiB pages cost a fault each. The environment
  // (MIMALLOC_LARGE_OS_PAGES=0) still decides when set.
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) mi_option_enable(mi_option_large_os_pages);
#endif
}

}  // namespace mg
