# line_profiler reader, plines and merging: corpus oracles, layouts written by
# pickle itself, hostile pickles, truncated and mutated inputs.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(check show json generated merge others hostile truncate)
  add_test(NAME lprof_${check}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_lprof.py ${check}
            $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/lprof
            ${CMAKE_CURRENT_BINARY_DIR}/lprof-${check})
endforeach()

