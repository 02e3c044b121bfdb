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
