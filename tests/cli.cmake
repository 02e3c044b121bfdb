add_test(NAME cli COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_cli.sh
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR})
