# ctest: docs/rules.md is what `modelgate rules --format markdown` prints today.
# cmake -DMODELGATE=<binary> -DDOC=<docs/rules.md> -P check_rules_doc.cmake
execute_process(COMMAND ${MODELGATE} rules --format markdown OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "modelgate rules --format markdown exited ${rc}")
endif()
file(READ ${DOC} committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "docs/rules.md is stale: regenerate it with `build/modelgate rules --format markdown > docs/rules.md`")
endif()
