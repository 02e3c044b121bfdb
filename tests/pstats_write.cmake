# pstats writer: python's marshal and pstats read every output; round trips
# of the corpus pstats files are exact; stack profiles match the model.
foreach(mode roundtrip stacks names)
  add_test(NAME pstats_write_${mode}
    COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_pstats_write.py ${mode}
            $<TARGET_FILE:pconv> ${PK_SHARED_DIR} ${CMAKE_CURRENT_BINARY_DIR}/test-pstats-write-${mode})
endforeach()
set_tests_properties(pstats_write_stacks PROPERTIES TIMEOUT 600)
