# memory_profiler: mprof .dat files against mprof's own reading of them (the
# corpus oracles), hand-made records, --time windows; the line-by-line report.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(check oracle records time lines)
  add_test(NAME mprof_${check}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_mprof.py ${check}
            $<TARGET_FILE_DIR:pconv> ${PK_SHARED_DIR}/corpus/memory_profiler
            ${CMAKE_CURRENT_BINARY_DIR}/mprof-${check})
endforeach()
