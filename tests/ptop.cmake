# ptop and the callgrind format, checked against pstats' and callgrind_annotate's own reports.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME ptop_pstats_oracles
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/ptop_pstats.py
          $<TARGET_FILE_DIR:ptop> ${PK_SHARED_DIR})
add_test(NAME ptop_sort_keys
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/ptop_sort.py
          $<TARGET_FILE_DIR:ptop> ${PK_SHARED_DIR})
add_test(NAME callgrind_read_annotate
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/callgrind_read.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
add_test(NAME callgrind_write_pstats
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/callgrind_write.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
add_test(NAME callgrind_damaged
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/callgrind_damaged.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
add_executable(test_callgrind_lines tests/callgrind_lines.c)
target_link_libraries(test_callgrind_lines PRIVATE profkit)
add_test(NAME callgrind_lines COMMAND test_callgrind_lines ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME callgrind_read_pyprof2calltree
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/callgrind_read_pyprof2calltree.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
