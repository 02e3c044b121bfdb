# The timeline of the sampling readers: every austin text and MOJO file of
# the corpus and speedscope file (pyinstrument's evented ones, tests/data/speedscope), one sample per sample, in order.
add_executable(test_timeline_readers ${CMAKE_CURRENT_LIST_DIR}/test_readers.c)
target_link_libraries(test_timeline_readers PRIVATE profkit)
file(GLOB PK_TIMELINE_SAMPLED ${PK_SHARED_DIR}/corpus/austin/*.austin
     ${PK_SHARED_DIR}/corpus/austin/*.mojo ${PK_SHARED_DIR}/corpus/pyinstrument/*.speedscope.json
     ${CMAKE_CURRENT_LIST_DIR}/../../data/speedscope/*.json)
add_test(NAME timeline_readers COMMAND test_timeline_readers ${PK_TIMELINE_SAMPLED})
