# ptop, checked against the reports of python's pstats.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME ptop_pstats_oracles
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_ptop_pstats.py
          $<TARGET_FILE_DIR:ptop> ${PK_SHARED_DIR})
add_test(NAME ptop_sort_keys
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_ptop_sort.py
          $<TARGET_FILE_DIR:ptop> ${PK_SHARED_DIR})
# Memory in KiB, MiB and GiB; the header's exact bytes are the model's total.
add_test(NAME ptop_memory
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_ptop_memory.py
          $<TARGET_FILE_DIR:pconv> ${CMAKE_SOURCE_DIR}/samples)
