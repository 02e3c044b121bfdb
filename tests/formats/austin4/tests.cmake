# austin 4 (MOJO v4 and mojo2austin text), from captures made by mojo4_writer.py.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME austin4
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_austin4.py $<TARGET_FILE:pconv>)
endif()
