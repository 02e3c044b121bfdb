# pdiff and pfilter: difffolded.pl outputs, pstats oracle deltas, exact stack
# filters and --fail-above statuses.
set(PK_DIFF_TEST ${CMAKE_CURRENT_LIST_DIR}/test_pdiff.py)
foreach(mode difffolded pstats filters graph fail dot)
  add_test(NAME diff_${mode}
    COMMAND python3 ${PK_DIFF_TEST} ${mode} $<TARGET_FILE_DIR:pdiff> ${PK_SHARED_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/test-diff-${mode})
endforeach()
# The table (values with units, sorts, the verdict, -n, stdlib matching) and the
# differential flame graph's colours against a hand-made pair with known changes.
add_test(NAME pdiff_table COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_pdiff_table.py
  $<TARGET_FILE_DIR:pdiff>)
