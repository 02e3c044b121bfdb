# scalene JSON: every corpus profile against its oracle; damaged and hostile
# files; every command on its CPU and memory metrics.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME scalene_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_oracle.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/scalene)
  add_test(NAME scalene_robust
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_robust.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/scalene/sc_py311_default.json)
endif()
find_program(CALLGRIND_ANNOTATE callgrind_annotate)
if(Python3_FOUND)
  add_test(NAME scalene_views
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_views.py
            $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR}/corpus/scalene
            $<$<BOOL:${CALLGRIND_ANNOTATE}>:${CALLGRIND_ANNOTATE}>)
endif()
