# Link-time optimisation for the shipped binary and the benchmarks. Objects are compiled "fat"
# (machine code and GCC's IR), so modelgate and the benches link with cross-module inlining
# (tree-sitter's node accessors are tiny and called millions of times per scan: about 8% of
# the Python stage) while the tests link the machine code, without an LTO link each.
if(MODELGATE_SANITIZE OR MODELGATE_FUZZ OR NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  option(MODELGATE_LTO "Link modelgate and the benches with link-time optimisation" OFF)
else()
  option(MODELGATE_LTO "Link modelgate and the benches with link-time optimisation" ON)
endif()

if(MODELGATE_LTO)
  add_compile_options(-flto=auto -ffat-lto-objects)
  # Archives of IR objects need the plugin-aware archiver for their symbol index.
  set(CMAKE_AR ${CMAKE_CXX_COMPILER_AR})
  set(CMAKE_RANLIB ${CMAKE_CXX_COMPILER_RANLIB})
endif()

function(modelgate_lto target)
  if(MODELGATE_LTO)
    target_link_options(${target} PRIVATE -flto=auto)
  endif()
endfunction()

# mimalloc (Debian libmimalloc-dev) as the allocator of the shipped binary and the benches: a scan
# makes millions of small allocations (behaviour models, facts, findings) into fresh memory, and
# with 2 MiB pages for its segments (core/allocator.hpp) corpus B scans about 15% faster than with
# glibc's malloc. Linked shared, it replaces malloc/free for the whole process. Sanitizer and fuzz
# builds keep the system allocator (ASan brings its own); so does -DMODELGATE_MIMALLOC=OFF, for
# heap profilers that hook malloc (heaptrack does not see mimalloc's operator new).
option(MODELGATE_MIMALLOC "Link mimalloc as the allocator" ON)
if(MODELGATE_SANITIZE OR MODELGATE_FUZZ)
  set(MODELGATE_MIMALLOC OFF)
elseif(MODELGATE_MIMALLOC)
  find_package(mimalloc 2.0 REQUIRED)
endif()

function(modelgate_allocator target)
  if(MODELGATE_MIMALLOC)
    target_link_libraries(${target} PRIVATE mimalloc)
    target_compile_definitions(${target} PRIVATE MODELGATE_MIMALLOC=1)
  endif()
endfunction()
