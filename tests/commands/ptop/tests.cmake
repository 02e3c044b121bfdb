# ptop, checked against the reports of python's pstats.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME ptop_pstats_oracles
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_ptop_pstats.py
          $<TARGET_FILE_DIR:ptop> ${PK_SHARED_DIR})
add_test(NAME ptop_sort_keys
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_ptop_sort.py
          $<TARGET_FILE_DIR:ptop> ${PK_SHARED_DIR})
