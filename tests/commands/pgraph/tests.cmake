# pgraph: call graphs checked against gprof2dot's choices and Graphviz itself.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_executable(test_pgraph_unit ${CMAKE_CURRENT_LIST_DIR}/test_pgraph_unit.c)
target_link_libraries(test_pgraph_unit PRIVATE profkit)
target_include_directories(test_pgraph_unit PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})

set(PGRAPH_CHECK ${CMAKE_CURRENT_LIST_DIR}/test_pgraph.py)
set(PGRAPH_OUT ${CMAKE_CURRENT_BINARY_DIR}/test-pgraph-out)
add_test(NAME pgraph_unit
  COMMAND ${Python3_EXECUTABLE} ${PGRAPH_CHECK} unit $<TARGET_FILE:test_pgraph_unit> ${PGRAPH_OUT})
add_test(NAME pgraph_gprof2dot
  COMMAND ${Python3_EXECUTABLE} ${PGRAPH_CHECK} gprof2dot $<TARGET_FILE:pgraph>
          ${PK_SHARED_DIR} ${PGRAPH_OUT})
add_test(NAME pgraph_render
  COMMAND ${Python3_EXECUTABLE} ${PGRAPH_CHECK} render $<TARGET_FILE:pgraph>
          ${PK_SHARED_DIR} ${PGRAPH_OUT})
# Rendering goes through fontconfig/pango/libgvc caches that live until exit.
set_tests_properties(pgraph_unit pgraph_gprof2dot pgraph_render PROPERTIES ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/lsan-graphviz.supp:print_suppressions=0")
pk_test_timeout(900 pgraph_render)
# gprof2dot's options (-c, --skew, --list-functions, --show-samples, --total)
# against gprof2dot itself on the same inputs.
add_test(NAME pgraph_gprof2dot_options
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_pgraph_options.py
          $<TARGET_FILE:pgraph> ${PK_SHARED_DIR}/peers/gprof2dot.py ${PK_SHARED_DIR}
          ${CMAKE_CURRENT_BINARY_DIR}/test-pgraph-options)
set_tests_properties(pgraph_gprof2dot_options PROPERTIES ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/lsan-graphviz.supp:print_suppressions=0")
