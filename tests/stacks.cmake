# Stack readers (austin text, MOJO, speedscope) and the speedscope writer.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME austin_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/austin_oracle.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/austin)
endif()
