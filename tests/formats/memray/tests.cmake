# memray captures: oracle values from memray 1.19.3 for every capture in the
# corpus, and damaged or unusual input.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND EXISTS ${PK_SHARED_DIR}/corpus/memray)
  add_test(NAME memray_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_memray_oracle.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/memray)
  add_test(NAME memray_robust
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_memray_robust.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/memray)
  pk_test_timeout(600 memray_oracle memray_robust)
endif()
# --time: memray's views of a window, exact on a hand-made capture.
if(Python3_Interpreter_FOUND AND EXISTS ${PK_SHARED_DIR}/corpus/memray)
  add_test(NAME memray_time
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_memray_time.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/memray ${CMAKE_CURRENT_BINARY_DIR}/memray-time)
  pk_test_timeout(300 memray_time)
endif()
