# pstats reader: the corpus oracles, gzip input, damaged and random input.
set(PK_PSTATS_TEST ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_pstats_oracle.py)
set(PK_PSTATS_CORPUS ${PK_SHARED_DIR}/corpus/pstats)
foreach(mode oracle gzip damaged synthetic)
  add_test(NAME pstats_${mode}
    COMMAND python3 ${PK_PSTATS_TEST} ${mode} $<TARGET_FILE:pconv> ${PK_PSTATS_CORPUS}
            ${CMAKE_CURRENT_BINARY_DIR}/test-pstats-${mode})
endforeach()
set_tests_properties(pstats_damaged PROPERTIES TIMEOUT 900)

# Reading time alone, for bench/pstats.sh (any format the registry reads).
if(NOT TARGET bench_read)
  add_executable(bench_read bench/bench_read.c)
  target_link_libraries(bench_read PRIVATE profkit)
endif()
