add_test(NAME pprof COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_pprof.py
  $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/node)
add_test(NAME speedscope_app COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_speedscope_app.py
  $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/node)
