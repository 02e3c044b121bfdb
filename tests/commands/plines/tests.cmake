# plines with line_profiler's -m, -z and -u, against line_profiler's own values.
add_test(NAME plines_options COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_plines_options.py
  $<TARGET_FILE_DIR:plines> ${PK_SHARED_DIR})
