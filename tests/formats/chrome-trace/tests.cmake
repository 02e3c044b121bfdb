# Chrome trace-event JSON (viztracer): every corpus trace against its oracle.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME chrome_trace_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_oracle.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/viztracer)
endif()
if(Python3_FOUND)
  add_test(NAME chrome_trace_robust
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_robust.py $<TARGET_FILE:pconv>)
endif()
# The timeline of both (trace-event spans, perf samples).
add_executable(test_trace_timeline ${CMAKE_CURRENT_LIST_DIR}/test_timeline.c)
target_link_libraries(test_trace_timeline PRIVATE profkit)
file(GLOB PK_VIZTRACER_FILES ${PK_SHARED_DIR}/corpus/viztracer/vz_*.json ${PK_SHARED_DIR}/corpus/viztracer/vz_*.json.gz)
list(FILTER PK_VIZTRACER_FILES EXCLUDE REGEX "\\.oracle\\.json$")
file(GLOB PK_PERF_FILES ${PK_SHARED_DIR}/corpus/perf/*.perf.txt)
add_test(NAME chrome_trace_timeline COMMAND test_trace_timeline trace ${PK_VIZTRACER_FILES}
         ${CMAKE_CURRENT_LIST_DIR}/../../data/chrome-trace/object.json)
add_test(NAME perf_script_timeline COMMAND test_trace_timeline perf ${PK_PERF_FILES})
