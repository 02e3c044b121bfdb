# line_profiler reader, plines and merging: corpus oracles, layouts written by
# pickle itself, hostile pickles, truncated and mutated inputs.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(check show json generated merge others hostile truncate)
  add_test(NAME lprof_${check}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/lprof_test.py ${check}
            $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/data/lprof
            ${CMAKE_CURRENT_BINARY_DIR}/lprof-${check})
endforeach()

# Listings over other metrics, Python blocks in sources, merging.
add_executable(test_lines tests/test_lines.c)
target_link_libraries(test_lines PRIVATE profkit)
add_test(NAME lines COMMAND test_lines)
