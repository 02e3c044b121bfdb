# callgrind reader and writer, checked against callgrind_annotate's reports,
# pyprof2calltree's numbers and python's pstats.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME callgrind_read_annotate
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_callgrind_read.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
add_test(NAME callgrind_write_pstats
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_callgrind_write.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
add_test(NAME callgrind_damaged
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_callgrind_damaged.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
add_executable(test_callgrind_lines ${CMAKE_CURRENT_LIST_DIR}/test_callgrind_lines.c)
target_link_libraries(test_callgrind_lines PRIVATE profkit)
add_test(NAME callgrind_lines COMMAND test_callgrind_lines ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME callgrind_read_pyprof2calltree
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_callgrind_read_pyprof2calltree.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
# fi=/fe=/cfi= binding (lsprofcalltree's and valgrind's order), calls=0 kept,
# inclusive costs bounded by the total through mutual recursion.
add_test(NAME callgrind_binding
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_callgrind_binding.py
          $<TARGET_FILE_DIR:pconv> ${CMAKE_SOURCE_DIR}/samples)
