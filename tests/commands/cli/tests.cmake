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
# Patterns: one table through Python's re (the oracle), lib/pattern.c and the
# HTML report's translation to JavaScript; --map replacements through re.sub.
add_executable(test_patterns ${CMAKE_CURRENT_LIST_DIR}/test_patterns.c)
target_link_libraries(test_patterns PRIVATE profkit)
target_include_directories(test_patterns PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME cli_patterns COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_patterns.py
  $<TARGET_FILE:test_patterns> $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR})
# Filters on call graphs follow the values along the edges (exact on a
# tree-shaped profile, against the stack filters) and say what they estimate.
add_test(NAME cli_graph_filters COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_graph_filters.py
  $<TARGET_FILE_DIR:pconv>)
# The flame graph options of flamegraph.pl, the same on pconv, pfilter and pdiff.
add_test(NAME cli_picture_options COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_picture_options.py
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR})
# (the PNG's fonts: fontconfig keeps its cache until the process ends)
set_tests_properties(cli_picture_options PROPERTIES ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/lsan-fontconfig.supp:print_suppressions=0")
# pfilter is not pconv: a filter required, the input's format kept.
add_test(NAME cli_pfilter COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_pfilter.py
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR})
# --flamechart: hand-made timelines whose every frame's place is known.
add_test(NAME cli_flamechart COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_flamechart.py
  $<TARGET_FILE_DIR:pconv> ${CMAKE_CURRENT_SOURCE_DIR})
set_tests_properties(cli_flamechart PROPERTIES ENVIRONMENT
  "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tests/helpers/lsan-fontconfig.supp:print_suppressions=0")
