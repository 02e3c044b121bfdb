# austin text and MOJO readers (corpus/austin holds both): the oracles, and
# truncated and random input (the speedscope reader's too).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME austin_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_austin_oracle.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/austin)
  add_test(NAME stacks_damaged_inputs
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_stacks_damaged.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/austin)
  pk_test_timeout(600 stacks_damaged_inputs)
endif()
