# The HTML report in a real browser (headless Chromium): see the script.
add_test(NAME html_report COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_html_report.py
  $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/node
  ${CMAKE_CURRENT_BINARY_DIR}/html-report)
pk_test_timeout(900 html_report)
# The ~128 MB generated collapsed file: a report of at most 10 MB, opened in under 2 s.
add_test(NAME html_report_big COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_html_report.py
  $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/node
  ${CMAKE_CURRENT_BINARY_DIR}/html-report-big --big)
pk_test_timeout(900 html_report_big)
# The time view: windows in the page equal pconv --time; the big MOJO's report in 0.5 s, 10 MB.
add_test(NAME html_time COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_html_time.py
  $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/node
  ${CMAKE_CURRENT_BINARY_DIR}/html-time)
set_tests_properties(html_time PROPERTIES ENVIRONMENT PK_TIME_SCALE=${PK_TIME_SCALE})
pk_test_timeout(900 html_time)
