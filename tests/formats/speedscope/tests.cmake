# speedscope writer and reader: the file format's schema and round trips, and
# speedscope itself (npm, headless Chromium) importing what we write.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME speedscope_roundtrip
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_speedscope_roundtrip.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR}/corpus/austin)
endif()
add_test(NAME speedscope_app COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_speedscope_app.py
  $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/tests/node)
# The export keeps the chronology: one sample per recorded sample, in order.
if(Python3_FOUND)
  add_test(NAME speedscope_chronology
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_speedscope_chronology.py
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR})
endif()
