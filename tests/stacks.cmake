# Stack readers (austin text, MOJO, speedscope) and the speedscope writer.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME austin_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/austin_oracle.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/austin)
endif()
if(Python3_FOUND)
  add_test(NAME speedscope_roundtrip
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/speedscope_check.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/austin)
  add_test(NAME stacks_damaged_inputs
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tests/stacks_truncate.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/austin)
  set_tests_properties(stacks_damaged_inputs PROPERTIES TIMEOUT 600)
endif()
