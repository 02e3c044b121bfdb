# The timeline of the sampling readers: every austin text and MOJO file of
# the corpus (and the speedscope files), one sample per sample, in order.
add_executable(test_timeline_sampled ${CMAKE_CURRENT_LIST_DIR}/test_sampled.c)
target_link_libraries(test_timeline_sampled PRIVATE profkit)
file(GLOB PK_TIMELINE_SAMPLED ${PK_SHARED_DIR}/corpus/austin/*.austin
     ${PK_SHARED_DIR}/corpus/austin/*.mojo)
add_test(NAME timeline_sampled COMMAND test_timeline_sampled ${PK_TIMELINE_SAMPLED})
