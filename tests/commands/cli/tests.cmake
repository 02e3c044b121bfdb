add_test(NAME cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_cli.sh
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR} ${PK_SHARED_DIR})
# One grammar: every command x every shared option parses the same way,
# --help and the man pages list what each command takes.
add_executable(test_options ${CMAKE_CURRENT_LIST_DIR}/test_options.c)
target_link_libraries(test_options PRIVATE pkcli)
target_include_directories(test_options PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME cli_options COMMAND test_options)
add_test(NAME cli_grammar COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_grammar.sh
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR} ${PK_SHARED_DIR})
