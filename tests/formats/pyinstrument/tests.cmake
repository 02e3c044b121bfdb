# pyinstrument: sessions, JSON trees and pstats files (call counts of -1) of
# the corpus against their oracles; damaged and hostile files.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME pyinstrument_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_oracle.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/pyinstrument)
  add_test(NAME pyinstrument_robust
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_robust.py $<TARGET_FILE:pconv>
            ${PK_SHARED_DIR}/corpus/pyinstrument/pi_py311.pyisession
            ${PK_SHARED_DIR}/corpus/pyinstrument/pi_py311.json)
endif()
