# tracemalloc snapshots: every corpus file against its oracle, pdiff against
# tracemalloc's own compare_to, hostile pickles.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(check oracle pdiff metric hostile)
  add_test(NAME tracemalloc_${check}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_tracemalloc.py ${check}
            $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR}/corpus/tracemalloc
            ${CMAKE_CURRENT_BINARY_DIR}/tracemalloc-${check})
endforeach()
