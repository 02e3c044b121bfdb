# pprof writer and reader: the npm pprof-format decoder agrees with our totals.
add_test(NAME pprof COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_pprof.py
  $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/node)
# Go's runtime/pprof field order (time_nanos first), gzip or not, by content.
add_test(NAME pprof_go_order
  COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_pprof_go.py $<TARGET_FILE_DIR:pconv>)
