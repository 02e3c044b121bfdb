# pstats reader: the corpus oracles, gzip input, damaged and random input.
set(PK_PSTATS_CORPUS ${PK_SHARED_DIR}/corpus/pstats)
foreach(mode oracle gzip damaged synthetic)
  add_test(NAME pstats_${mode}
    COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_pstats_read.py ${mode} $<TARGET_FILE:pconv>
            ${PK_PSTATS_CORPUS} ${CMAKE_CURRENT_BINARY_DIR}/test-pstats-${mode})
endforeach()
pk_test_timeout(900 pstats_damaged)
# Python 3.14/3.15 (marshal 5 and 6, profiling.tracing, Tachyon's sampled pstats).
add_test(NAME pstats_oracle_py315
  COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_pstats_read.py oracle $<TARGET_FILE:pconv>
          ${PK_SHARED_DIR}/corpus/py314-315 ${CMAKE_CURRENT_BINARY_DIR}/test-pstats-oracle-py315)

# pstats writer: python's marshal and pstats read every output; round trips
# of the corpus pstats files are exact; stack profiles match the model.
foreach(mode roundtrip stacks names)
  add_test(NAME pstats_write_${mode}
    COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_pstats_write.py ${mode}
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_BINARY_DIR}/test-pstats-write-${mode})
endforeach()
pk_test_timeout(600 pstats_write_stacks)

# Reading time alone, for bench/pstats.sh (any format the registry reads).
if(NOT TARGET bench_read)
  add_executable(bench_read bench/bench_read.c)
  target_link_libraries(bench_read PRIVATE profkit)
endif()
