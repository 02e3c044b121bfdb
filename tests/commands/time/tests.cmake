# --time on every command: halves of every timed corpus profile add up to the
# whole; profiles without times are refused.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME time_window
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_time_window.py
          $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR})
