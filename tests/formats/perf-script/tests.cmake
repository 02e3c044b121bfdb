# perf script text: every corpus file against stackcollapse-perf.pl's folded
# output and its oracle; stackcollapse-perf.pl itself on made-up edge cases.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME perf_script_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_oracle.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/perf)
  find_program(PERL perl)
  if(PERL)
    add_test(NAME perf_script_peer
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_peer.py
              $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/peers/stackcollapse-perf.pl)
  endif()
endif()
