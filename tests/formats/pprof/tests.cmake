# pprof writer and reader: the npm pprof-format decoder agrees with our totals.
add_test(NAME pprof COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_pprof.py
  $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/node)
